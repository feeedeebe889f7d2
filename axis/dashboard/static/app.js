// Keeps a dashboard page live: listens to the axis's change stream (Server-Sent Events) and
// redraws the sections a change touched by fetching their server-rendered fragments.
// The axis renders fragments on the event loop that serves the protocol, so a page asks for
// each section at most once per MIN_GAP_MS and never twice at a time; changes that arrive
// meanwhile are folded into one trailing redraw.
"use strict";

(function () {
  const MIN_GAP_MS = 400;
  const body = document.body;
  const base = body.dataset.base || "";
  const live = document.getElementById("live");
  const sections = Array.from(document.querySelectorAll("[data-fragment]"));
  const busy = new WeakMap();
  const dirty = new WeakSet();
  const lastStart = new WeakMap();
  const planned = new WeakSet();

  function setLive(state, text) {
    body.dataset.live = state;
    if (live) {
      live.dataset.state = state;
      live.querySelector(".live-text").textContent = text;
    }
  }

  function touches(section, change) {
    if (change.all) return true;
    const on = (section.dataset.on || "*").split(" ");
    if (on.includes("*")) return true;
    if (on.includes("document")) {
      const holder = section.querySelector("[data-docs]");
      if (!holder) return true;
      const docs = (holder.dataset.docs || "").split(" ");
      const documentId = holder.dataset.documentId || "";
      return (change.docs || []).some((d) => docs.includes(d)) ||
        (documentId !== "" && (change.documents || []).includes(documentId));
    }
    return (change.kinds || []).some((k) => on.includes(k));
  }

  function schedule(section) {
    if (planned.has(section)) return;
    planned.add(section);
    const wait = Math.max(0, (lastStart.get(section) || 0) + MIN_GAP_MS - Date.now());
    setTimeout(() => {
      planned.delete(section);
      redraw(section);
    }, wait);
  }

  async function redraw(section) {
    if (busy.get(section)) {
      dirty.add(section);
      return;
    }
    busy.set(section, true);
    lastStart.set(section, Date.now());
    try {
      const response = await fetch(section.dataset.fragment, {
        headers: { Accept: "text/html" },
        cache: "no-store",
      });
      if (response.ok) {
        const html = await response.text();
        const doc = new DOMParser().parseFromString(html, "text/html");
        section.replaceChildren(...Array.from(doc.body.childNodes));
        section.dataset.refreshed = String(Date.now());
        if (body.dataset.live === "error") setLive("open", "live");
      }
    } catch (error) {
      setLive("error", "update failed; retrying");
    } finally {
      busy.set(section, false);
      if (dirty.has(section)) {
        dirty.delete(section);
        schedule(section);
      }
    }
  }

  function onChange(message) {
    let change;
    try {
      change = JSON.parse(message.data);
    } catch (error) {
      change = { all: true };
    }
    body.dataset.head = String(change.head);
    for (const section of sections) {
      if (touches(section, change)) schedule(section);
    }
  }

  if (body.dataset.authed !== "yes") {
    setLive("closed", "log in for live updates");
    return;
  }
  if (!("EventSource" in window)) {
    setLive("closed", "no live updates: reload to refresh");
    return;
  }
  // The stream starts from the transcript head the page was rendered at, so nothing that
  // happened in between is missed; a reconnect resumes from the last change seen.
  const source = new EventSource(base + "/events?after=" + (body.dataset.head || ""));
  let connected = false;
  source.addEventListener("hello", () => {
    // After a reconnect the page may be stale: redraw everything once.
    if (connected) onChange({ data: JSON.stringify({ head: body.dataset.head, all: true }) });
    connected = true;
    setLive("open", "live");
  });
  source.addEventListener("change", onChange);
  source.addEventListener("error", () => setLive("closed", "reconnecting…"));
  window.addEventListener("pagehide", () => source.close());
})();
