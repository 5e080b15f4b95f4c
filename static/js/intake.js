// The agent's call form: a draft that survives reloads and lost connections, the caller's name
// prefilled from their history, the refusal script shown as it is chosen, Ctrl+Enter to dispatch.
(function () {
  "use strict";
  var form = document.getElementById("call-form");
  if (!form) return;
  var KEY = "hotline.call-draft." + form.dataset.user;
  var SKIP = { csrfmiddlewaretoken: true, action: true, merge_into: true };
  var nameAutofilled = false;

  function save() {
    var draft = {};
    Array.prototype.forEach.call(form.elements, function (el) {
      if (!el.name || SKIP[el.name] || el.type === "submit") return;
      draft[el.name] = el.type === "checkbox" ? el.checked : el.value;
    });
    try { localStorage.setItem(KEY, JSON.stringify(draft)); } catch (e) { /* storage full or disabled */ }
  }

  function restore() {
    var raw;
    try { raw = localStorage.getItem(KEY); } catch (e) { return false; }
    if (!raw) return false;
    var draft = JSON.parse(raw), typed = false;
    Object.keys(draft).forEach(function (name) {
      var el = form.elements.namedItem(name);
      if (!el || el instanceof RadioNodeList) return;
      if (el.type === "checkbox") { el.checked = !!draft[name]; typed = typed || el.checked; }
      else {
        el.value = draft[name];
        if (el.type !== "hidden" && el.tagName !== "SELECT" && draft[name]) typed = true;
      }
    });
    return typed;
  }

  function clear() { try { localStorage.removeItem(KEY); } catch (e) { /* ignore */ } }

  function refreshPanels() {
    // Bring the live panels (history, street, duplicates) up to date with the input on the page,
    // once htmx has bound their triggers (its own DOMContentLoaded handler runs before this one).
    function fire() { htmx.trigger(document.body, "draft-restored"); }
    if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", fire);
    else setTimeout(fire, 0);
  }

  if (document.querySelector("[data-clear-draft]")) {
    // The call was logged: its draft goes, and a reload must not show the outcome again (nor wipe
    // the draft of the next call).
    clear();
    var url = new URL(window.location.href);
    url.searchParams.delete("done");
    window.history.replaceState(null, "", url.pathname + url.search);
  } else if (!form.dataset.bound && restore()) {
    document.getElementById("draft-restored").classList.remove("d-none");
    refreshPanels();
  }
  if (form.dataset.bound) {
    save();  // the server kept the input after an error: keep the draft too
    refreshPanels();
  }

  form.addEventListener("input", save);
  form.addEventListener("change", function (event) {
    // A street picked by hand is kept when the address is edited again.
    if (event.target.name === "street") form.elements.namedItem("street_chosen").value = event.target.value;
    save();
  });

  document.getElementById("draft-discard").addEventListener("click", function () {
    clear();
    window.location.replace(window.location.pathname);
  });

  // Caller history arrived: prefill the name from the caller's last demand unless the agent typed one.
  // Enter in the knowledge search commits the search (it is logged as a search, not a keystroke):
  // without eval (the Content-Security-Policy allows no inline script), a flag sent with one request.
  var kbQuery = document.getElementById("kb-q"), kbEnter = document.getElementById("kb-enter");
  if (kbQuery && kbEnter) {
    kbQuery.addEventListener("keyup", function (event) {
      if (event.key !== "Enter") return;
      kbEnter.value = "1";
      htmx.trigger(kbQuery, "kb-enter");
    });
    kbQuery.addEventListener("htmx:configRequest", function () {
      window.setTimeout(function () { kbEnter.value = "0"; }, 0);
    });
  }

  document.body.addEventListener("htmx:afterSwap", function (event) {
    if (event.detail.target.id !== "caller-history") return;
    var data = document.getElementById("caller-history-data");
    var name = form.elements.namedItem("caller_name");
    if (data && data.dataset.lastName && (!name.value || nameAutofilled)) {
      name.value = data.dataset.lastName;
      nameAutofilled = true;
      save();
    }
  });
  form.elements.namedItem("caller_name").addEventListener("input", function () { nameAutofilled = false; });

  // The refusal script: what the agent reads to the caller.
  var scripts = JSON.parse(document.getElementById("refusal-scripts").textContent);
  var reason = form.elements.namedItem("refusal_reason");
  function showScript() { document.getElementById("refusal-script").textContent = scripts[reason.value] || ""; }
  reason.addEventListener("change", showScript);
  showScript();

  // Ctrl+Enter (or Cmd+Enter) anywhere in the form submits and dispatches.
  form.addEventListener("keydown", function (event) {
    if (event.key === "Enter" && (event.ctrlKey || event.metaKey)) {
      event.preventDefault();
      form.requestSubmit(document.getElementById("dispatch-button"));
    }
  });
})();
