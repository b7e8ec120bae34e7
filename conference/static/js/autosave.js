// Autosave for the sections of a decision record (progressive enhancement).
//
// A form marked `data-autosave="<section>"` and `data-autosave-url="<endpoint>"` keeps working without this
// script: its Save button posts it as usual. With the script, the section's fields are also posted as JSON
// ({section, version, fields}) with the X-CSRFToken header a few seconds after typing stops, and when focus
// leaves a field. The result is announced in an aria-live region: "Saved at 2:31pm", or why it was not saved.
//
// It never overwrites silently: the version the form was opened at goes with every save, and when someone
// else saved the section first (409) it stops saving and links to the page that shows both texts.

const DELAY_MS = 2500;
const NOT_SENT = new Set(["csrf_token", "version", "idempotency_key"]);
const TIME = new Intl.DateTimeFormat("en-GB", {
  timeZone: "Europe/London",
  hour: "numeric",
  minute: "2-digit",
  hour12: true,
});

/** "2:31pm", "2pm", "midday", as the server's `time` filter writes times. */
export function formatTime(date) {
  const parts = Object.fromEntries(TIME.formatToParts(date).map((p) => [p.type, p.value]));
  const hour = Number(parts.hour);
  const minute = parts.minute;
  const suffix = (parts.dayPeriod || "").toLowerCase().replace(/[^apm]/g, "");
  if (minute === "00" && hour === 12) return suffix === "pm" ? "midday" : "midnight";
  return minute === "00" ? `${hour}${suffix}` : `${hour}:${minute}${suffix}`;
}

/** The form's answers as the autosave endpoint reads them: one value, or a list for repeated names. */
export function collectFields(form) {
  const fields = {};
  for (const [name, value] of new FormData(form).entries()) {
    if (NOT_SENT.has(name) || typeof value !== "string") continue;
    if (name in fields) {
      fields[name] = [].concat(fields[name], value);
    } else {
      fields[name] = value;
    }
  }
  return fields;
}

class Autosave {
  constructor(form) {
    this.form = form;
    this.section = form.dataset.autosave;
    this.url = form.dataset.autosaveUrl;
    this.csrf = form.querySelector("input[name=csrf_token]")?.value || "";
    this.version = form.querySelector("input[name=version]");
    this.timer = null;
    this.dirty = false;
    this.inFlight = false;
    this.stopped = false;
    this.afterSave = null;
    this.status = this.makeStatus();
    form.addEventListener("input", () => this.changed());
    form.addEventListener("change", () => this.changed());
    form.addEventListener("focusout", () => this.soon(0));
    form.addEventListener("submit", (event) => this.submitting(event));
  }

  makeStatus() {
    const status = document.createElement("div");
    status.className = "govuk-body app-autosave-status";
    status.setAttribute("role", "status");
    status.setAttribute("aria-live", "polite");
    status.id = `autosave-status-${this.section}`;
    const button = this.form.querySelector("button[type=submit], button:not([type])");
    this.form.insertBefore(status, button || null);
    return status;
  }

  submitting(event) {
    // The Save button wins over autosave. If a save is on its way, wait for it (so the form carries the version
    // it produced, and does not conflict with this person's own autosave), then send the form as usual.
    this.stop();
    if (this.inFlight) {
      event.preventDefault();
      // Keep the button that was pressed: "Copy its text into the record" posts to its own formaction.
      const submitter = event.submitter;
      this.afterSave = () => (submitter ? this.form.requestSubmit(submitter) : this.form.submit());
    }
  }

  changed() {
    if (this.stopped) return;
    this.dirty = true;
    this.soon(DELAY_MS);
  }

  soon(delay) {
    if (this.stopped || !this.dirty) return;
    window.clearTimeout(this.timer);
    this.timer = window.setTimeout(() => this.save(), delay);
  }

  stop() {
    this.stopped = true;
    window.clearTimeout(this.timer);
  }

  say(text, link) {
    this.status.replaceChildren(document.createTextNode(text));
    if (link) {
      const a = document.createElement("a");
      a.className = "govuk-link";
      a.href = link.href;
      a.textContent = link.text;
      this.status.append(" ", a);
    }
  }

  async save() {
    if (this.stopped || !this.dirty) return;
    if (this.inFlight) {
      this.soon(DELAY_MS);
      return;
    }
    this.inFlight = true;
    this.dirty = false;
    const body = JSON.stringify({
      section: this.section,
      version: Number(this.version?.value),
      fields: collectFields(this.form),
    });
    try {
      const response = await fetch(this.url, {
        method: "POST",
        credentials: "same-origin",
        redirect: "manual",
        headers: { "Content-Type": "application/json", Accept: "application/json", "X-CSRFToken": this.csrf },
        body,
      });
      await this.answer(response);
    } catch {
      this.dirty = true;
      this.say("Not saved: the connection failed. We will try again when you next type, or select Save.");
    } finally {
      this.inFlight = false;
      if (this.afterSave) this.afterSave();
    }
  }

  async answer(response) {
    const json = (response.headers.get("Content-Type") || "").startsWith("application/json")
      ? await response.json()
      : {};
    if (response.ok && json.saved) {
      if (this.version) this.version.value = String(json.version);
      this.say(`Saved at ${formatTime(new Date())}`);
      return;
    }
    if (response.status === 409 && json.conflict) {
      this.stop();
      this.say("Not saved: someone else changed this section.", {
        href: json.conflict_url,
        text: "See their changes and yours",
      });
      return;
    }
    this.dirty = true;
    if (response.status === 422) {
      this.say("Not saved yet: some answers need finishing. Select Save to see what to change.");
    } else if (response.status === 409) {
      this.stop();
      this.say(`Not saved: ${json.error || "this section cannot be changed now"}.`.replace(/\.\.$/, "."));
    } else if (response.status === 401 || response.type === "opaqueredirect") {
      this.stop();
      this.say("Not saved: your session has ended. Select Save: we will keep your answers while you sign in.");
    } else {
      this.say("Not saved: something went wrong. Select Save to save your answers.");
    }
  }
}

for (const form of document.querySelectorAll("form[data-autosave][data-autosave-url]")) {
  if (form.querySelector("input[name=version]")) new Autosave(form);
}
