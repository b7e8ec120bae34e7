// The meeting board follows the answers as they arrive (progressive enhancement).
//
// Without this script the board works as it always has: its Refresh link loads the page again. With it, the
// table marked `data-answers-url` asks that endpoint for the rows' answers every `data-poll-seconds` seconds
// (15 by default), sending the last version it saw (If-None-Match), so nothing comes back when nothing changed.
// A changed answer replaces the words in its row, and the change is said politely in the aria-live region:
// "Updated at 2:31pm. Rowan Ashdown: Accepted." It pauses while the tab is hidden, backs off when the network
// fails, and stops (saying so) when the session has ended.

import { formatTime } from "./autosave.js";

const DEFAULT_SECONDS = 15;
const MAX_BACKOFF_MS = 5 * 60 * 1000;

class LiveBoard {
  constructor(table) {
    this.table = table;
    this.url = table.dataset.answersUrl;
    this.interval = Math.max(1, Number(table.dataset.pollSeconds) || DEFAULT_SECONDS) * 1000;
    this.delay = this.interval;
    this.version = null;
    this.timer = null;
    this.stopped = false;
    this.live = document.querySelector("[data-board-live]");
    this.shownAt = document.querySelector("[data-board-shown-at]");
    document.addEventListener("visibilitychange", () => {
      if (!document.hidden && !this.stopped) this.schedule(0);
    });
  }

  start() {
    this.schedule(this.interval);
  }

  schedule(delay) {
    clearTimeout(this.timer);
    this.timer = setTimeout(() => this.poll(), delay);
  }

  async poll() {
    if (this.stopped) return;
    if (document.hidden) return; // resumes on visibilitychange
    const headers = { Accept: "application/json" };
    if (this.version) headers["If-None-Match"] = `"${this.version}"`;
    let response;
    try {
      response = await fetch(this.url, { headers, credentials: "same-origin", cache: "no-store", redirect: "manual" });
    } catch {
      this.delay = Math.min(this.delay * 2, MAX_BACKOFF_MS);
      this.schedule(this.delay);
      return;
    }
    const json = (response.headers.get("Content-Type") || "").includes("application/json");
    if (response.status === 304) {
      this.delay = this.interval;
      this.touch();
    } else if (response.ok && json) {
      this.delay = this.interval;
      this.apply(await response.json());
    } else if (response.status >= 500) {
      this.delay = Math.min(this.delay * 2, MAX_BACKOFF_MS);
    } else {
      // Signed out, session ended, or no longer allowed: stop, and say how to see new answers.
      this.stopped = true;
      this.say("New answers are no longer shown on this page. Sign in again, then refresh the page.");
      return;
    }
    this.schedule(this.delay);
  }

  touch() {
    if (this.shownAt) this.shownAt.textContent = formatTime(new Date());
  }

  apply(data) {
    this.version = data.version;
    const changes = [];
    let unknown = false;
    for (const { attendee, answer } of data.answers || []) {
      const row = this.table.querySelector(`tr[data-attendee="${CSS.escape(attendee)}"]`);
      const cell = row?.querySelector("[data-answer]");
      if (!cell) {
        unknown = true;
        continue;
      }
      if (cell.textContent.trim() !== answer) {
        cell.textContent = answer;
        const person = row.cells[1]?.textContent.trim() || "Someone";
        changes.push(`${person}: ${answer}.`);
      }
    }
    this.touch();
    const parts = [];
    if (changes.length) parts.push(...changes);
    if (unknown) parts.push("Someone new has been invited: refresh the page to see them.");
    if (parts.length) this.say(`Updated at ${formatTime(new Date())}. ${parts.join(" ")}`);
  }

  say(text) {
    if (this.live) this.live.textContent = text;
  }
}

const table = document.querySelector("table[data-answers-url]");
if (table && typeof fetch === "function") new LiveBoard(table).start();
