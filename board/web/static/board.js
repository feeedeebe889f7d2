// The phase page's filters: search and the tier, province, product and status selects hide the
// rows that do not match, in the live board and in the static export alike. The filter is kept
// in the address (?q=…&status=…), so a filtered view can be shared.
"use strict";

(function () {
  const form = document.getElementById("filters");
  const table = document.getElementById("members");
  if (!form || !table) return;
  const rows = Array.from(table.tBodies[0].rows);
  const fields = ["status", "tier", "province", "product"];
  const shown = document.getElementById("shown");

  function apply() {
    const q = form.elements.q.value.trim().toLowerCase();
    const want = {};
    fields.forEach((f) => { want[f] = form.elements[f].value; });
    let count = 0;
    rows.forEach((row) => {
      const ok = (!q || row.dataset.search.includes(q))
        && (!want.status || row.dataset.state === want.status)
        && (!want.tier || row.dataset.tier === want.tier)
        && (!want.province || row.dataset.province === want.province)
        && (!want.product || row.dataset.product === want.product);
      row.hidden = !ok;
      if (ok) count += 1;
    });
    shown.textContent = count + " shown";
    const params = new URLSearchParams();
    if (q) params.set("q", q);
    fields.forEach((f) => { if (want[f]) params.set(f, want[f]); });
    const query = params.toString();
    history.replaceState(null, "", query ? "?" + query : location.pathname);
  }

  const initial = new URLSearchParams(location.search);
  if (initial.get("q")) form.elements.q.value = initial.get("q");
  fields.forEach((f) => { if (initial.get(f)) form.elements[f].value = initial.get(f); });
  form.addEventListener("input", apply);
  form.addEventListener("change", apply);
  apply();
  document.body.dataset.filters = "ready";
})();
