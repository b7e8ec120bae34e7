// Plan the week: while a plan is being made, ask for its status every few seconds and load the page again when
// it is ready (progressive enhancement: without this script the page's Refresh link does the same).

const status = document.querySelector("[data-status-url]");
const live = document.querySelector("[data-plan-live]");
const WAITING = ["queued", "running"];

async function poll(delay) {
  if (!status || !WAITING.includes(status.dataset.planStatus)) return;
  try {
    const response = await fetch(status.dataset.statusUrl, { headers: { Accept: "application/json" } });
    if (response.ok) {
      const answer = await response.json();
      if (!WAITING.includes(answer.status)) {
        if (live) live.textContent = `${answer.label}. Loading the plan.`;
        window.location.reload();
        return;
      }
      if (live && answer.status !== status.dataset.planStatus) live.textContent = answer.label;
      status.dataset.planStatus = answer.status;
      delay = 3000;
    } else {
      delay = Math.min(delay * 2, 60000);
    }
  } catch {
    delay = Math.min(delay * 2, 60000);
  }
  setTimeout(() => poll(delay), delay);
}

setTimeout(() => poll(3000), 3000);
