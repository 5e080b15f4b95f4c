// The agent's call form: a draft that survives reloads and lost connections, the caller's name
// prefilled from their history, the refusal script shown as it is chosen, Ctrl+Enter to dispatch.
(function () {
  "use strict";
  var form = document.getElementById("call-form");
  if (!form) return;
  var KEY = "hotline.call-draft." + form.dataset.user;
  var SKIP = { csrfmiddlewaretoken: true, action: true, merge_into: true, suggestion_used: true };
  var nameAutofilled = false;

  // The draft is kept encrypted (AES-GCM, Web Crypto) with a key that lives in the agent's session
  // only: a draft left in this browser after logout cannot be read. Without Web Crypto (a page not
  // served over HTTPS or from localhost) the draft is kept without the caller's name and number.
  var PII = { caller_name: true, caller_phone: true };
  var keyPromise = null;
  if (window.crypto && window.crypto.subtle && form.dataset.draftKey) {
    var raw = Uint8Array.from(atob(form.dataset.draftKey), function (c) { return c.charCodeAt(0); });
    keyPromise = window.crypto.subtle.importKey("raw", raw, "AES-GCM", false, ["encrypt", "decrypt"])
      .catch(function () { return null; });
  }
  function toBase64(bytes) { return btoa(String.fromCharCode.apply(null, new Uint8Array(bytes))); }
  function fromBase64(text) { return Uint8Array.from(atob(text), function (c) { return c.charCodeAt(0); }); }

  var saves = 0;
  function save() {
    var draft = {}, seq = ++saves;
    Array.prototype.forEach.call(form.elements, function (el) {
      if (!el.name || SKIP[el.name] || el.type === "submit") return;
      draft[el.name] = el.type === "checkbox" ? el.checked : el.value;
    });
    (keyPromise || Promise.resolve(null)).then(function (key) {
      if (!key) {
        Object.keys(PII).forEach(function (name) { delete draft[name]; });
        return JSON.stringify({ clear: draft });
      }
      var iv = window.crypto.getRandomValues(new Uint8Array(12));
      return window.crypto.subtle.encrypt({ name: "AES-GCM", iv: iv }, key, new TextEncoder().encode(JSON.stringify(draft)))
        .then(function (sealed) { return JSON.stringify({ iv: toBase64(iv), sealed: toBase64(sealed) }); });
    }).then(function (stored) {
      if (seq !== saves) return;  // a later save is on its way
      try { localStorage.setItem(KEY, stored); } catch (e) { /* storage full or disabled */ }
    });
  }

  function readDraft() {
    var raw;
    try { raw = localStorage.getItem(KEY); } catch (e) { return Promise.resolve(null); }
    if (!raw) return Promise.resolve(null);
    var stored;
    try { stored = JSON.parse(raw); } catch (e) { return Promise.resolve(null); }
    if (stored.clear) return Promise.resolve(stored.clear);
    if (!stored.sealed || !keyPromise) return Promise.resolve(null);
    return keyPromise.then(function (key) {
      if (!key) return null;
      return window.crypto.subtle.decrypt({ name: "AES-GCM", iv: fromBase64(stored.iv) }, key, fromBase64(stored.sealed))
        .then(function (plain) { return JSON.parse(new TextDecoder().decode(plain)); });
    }).catch(function () { clear(); return null; });  // another session's draft: unreadable, dropped
  }

  function restore() {
    return readDraft().then(function (draft) {
      if (!draft) return false;
      var typed = false;
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
    });
  }

  function clear() { try { localStorage.removeItem(KEY); } catch (e) { /* ignore */ } }

  // Whether a draft holds anything the agent typed (not only the page's hidden and chosen fields, nor the
  // number a screen-pop filled in: a popped call left untouched is not worth putting aside).
  function typedIn(draft) {
    return Object.keys(draft).some(function (name) {
      var el = form.elements.namedItem(name);
      if (!el || el instanceof RadioNodeList || el.type === "hidden" || el.tagName === "SELECT") return false;
      if (name === "caller_phone") return false;
      if (String(draft[name]) === el.defaultValue) return false;  // as the page gave it (co-complainants 0)
      return el.type === "checkbox" ? false : !!String(draft[name] || "").trim();
    });
  }

  // The unsent calls screen-pops put aside (each still sealed, newest last): offered back, the newest first,
  // until the agent takes or drops them. Several pops in a row put several calls aside; none is lost.
  var PARKED = KEY + ".parked";
  function parkedList() {
    var raw;
    try { raw = localStorage.getItem(PARKED); } catch (e) { return []; }
    if (!raw) return [];
    try {
      var list = JSON.parse(raw);
      return Array.isArray(list) ? list.filter(function (x) { return typeof x === "string"; }) : [raw];
    } catch (e) { return []; }
  }
  function setParked(list) {
    try {
      if (list.length) localStorage.setItem(PARKED, JSON.stringify(list));
      else localStorage.removeItem(PARKED);
      return true;
    } catch (e) { return false; }  // storage full: the caller keeps what it had
  }
  var parkedBound = false;
  function showParked() {
    var banner = document.getElementById("draft-parked");
    if (!banner) return;
    var list = parkedList();
    banner.classList.toggle("d-none", !list.length);
    var more = document.getElementById("draft-parked-more");
    if (more) more.textContent = list.length > 1 ? banner.dataset.more.replace("{n}", list.length - 1) : "";
    if (parkedBound) return;
    parkedBound = true;
    document.getElementById("draft-unpark").addEventListener("click", function () {
      // A swap: the call on the page is put aside in its turn, behind the others (nothing typed is lost).
      var now = {};
      Array.prototype.forEach.call(form.elements, function (el) { if (el.name) now[el.name] = el.value; });
      var list = parkedList(), back = list.pop();
      if (!back) return;
      var current;
      try { current = localStorage.getItem(KEY); } catch (e) { return; }
      if (current && typedIn(now)) list.unshift(current);
      try { localStorage.setItem(KEY, back); } catch (e) { return; }  // nothing changed yet
      if (!setParked(list)) {  // storage full: put things back as they were
        try { localStorage.setItem(KEY, current || ""); } catch (e) { /* ignore */ }
        return;
      }
      window.location.replace(window.location.pathname);  // the desk restores it as any unsent call
    });
    document.getElementById("draft-drop").addEventListener("click", function () {
      if (!window.confirm(banner.dataset.confirmDrop)) return;
      var list = parkedList();
      list.pop();
      setParked(list);
      showParked();
    });
  }

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
    showParked();  // a call put aside earlier is still waiting
  } else if (form.dataset.screenPop) {
    // 弹屏: the telephone system opened the desk for a ringing call: a new call, not the last draft. An
    // unsent draft is not lost: the very draft read here (still sealed) is put aside and offered back.
    var unsent = null;
    try { unsent = localStorage.getItem(KEY); } catch (e) { /* storage disabled */ }
    readDraft().then(function (draft) {
      if (unsent && draft && typedIn(draft)) {
        var list = parkedList();
        list.push(unsent);
        if (!setParked(list)) return;  // storage full: the draft stays where it is rather than be lost
      }
      clear();
      save();
      refreshPanels();
      showParked();
    });
  } else if (!form.dataset.bound) {
    showParked();
    restore().then(function (typed) {
      if (!typed) return;
      document.getElementById("draft-restored").classList.remove("d-none");
      refreshPanels();
    });
  }
  if (form.dataset.bound) {
    showParked();  // calls put aside are still offered after a form error
    save();  // the server kept the input after an error: keep the draft too
    refreshPanels();
  }

  // 受理模板: the templates offered are those of the chosen matter's branch, and those for any matter.
  var templates = document.getElementById("record-template"), category = form.elements.namedItem("category");
  function fitTemplates() {
    if (!templates || !category) return;
    var code = (category.value.trim().split(/\s+/)[0] || "");
    var known = /^\d{2,6}$/.test(code);
    Array.prototype.forEach.call(templates.options, function (option) {
      var branch = option.dataset.category;
      option.hidden = !!(branch && known && code.indexOf(branch) !== 0);
    });
  }
  if (category) category.addEventListener("change", fitTemplates);
  fitTemplates();

  form.addEventListener("input", save);
  var chosenRepeat = "";
  form.addEventListener("change", function (event) {
    // A street picked by hand is kept when the address is edited again.
    if (event.target.name === "street") form.elements.namedItem("street_chosen").value = event.target.value;
    if (event.target.name === "merge_into") chosenRepeat = event.target.value;
    save();
  });
  // 重复件: a refresh of the repeats panel that was already on its way when the agent picked an order
  // must not undo the pick; the order stays chosen as long as the panel still offers it.
  document.body.addEventListener("htmx:afterSwap", function (event) {
    if (event.detail.target.id !== "duplicates" || !chosenRepeat) return;
    var radio = document.getElementById("merge-" + chosenRepeat);
    if (radio) radio.checked = true;
  });

  document.getElementById("draft-discard").addEventListener("click", function () {
    clear();
    window.location.replace(window.location.pathname);
  });

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

  // Caller history arrived: prefill the name from the caller's last demand unless the agent typed one.
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

  // 智能派单: a suggested category is taken with a click, F2 or Alt+1…3; typing one by hand clears the mark.
  var category = form.elements.namedItem("category"), used = form.elements.namedItem("suggestion_used");
  function pick(button) {
    category.value = button.dataset.value;
    used.value = "True";
    category.dispatchEvent(new Event("change", { bubbles: true }));  // the knowledge and repeat panels follow
    save();
  }
  document.getElementById("category-suggestions").addEventListener("click", function (event) {
    var button = event.target.closest(".category-suggestion");
    if (button) pick(button);
  });
  category.addEventListener("input", function () { used.value = ""; });
  // F2 takes the first suggestion (no browser claims it); Alt+1…3 any of the three (on Linux, Chromium
  // keeps Alt+digit for its tabs, hence F2).
  document.addEventListener("keydown", function (event) {
    var rank = event.key === "F2" ? "1" : (event.altKey && !event.ctrlKey && !event.metaKey && /^[1-3]$/.test(event.key) ? event.key : "");
    if (!rank) return;
    var button = document.querySelector('.category-suggestion[data-rank="' + rank + '"]');
    if (!button) return;
    event.preventDefault();
    pick(button);
  });

  // The call timer: from the first key of a call (or the screen-pop) until it is logged.
  var timer = document.getElementById("call-timer"), startedAt = form.dataset.screenPop ? Date.now() : 0;
  function tick() {
    if (!timer || !startedAt) return;
    var seconds = Math.floor((Date.now() - startedAt) / 1000);
    timer.textContent = Math.floor(seconds / 60) + ":" + String(seconds % 60).padStart(2, "0");
    timer.classList.toggle("text-bg-warning", seconds >= 300);  // a long call: five minutes and more
  }
  form.addEventListener("input", function () { if (!startedAt) { startedAt = Date.now(); tick(); } });
  window.setInterval(tick, 1000);

  // Ctrl+Enter (or Cmd+Enter) anywhere in the form submits and dispatches.
  form.addEventListener("keydown", function (event) {
    if (event.key === "Enter" && (event.ctrlKey || event.metaKey)) {
      event.preventDefault();
      form.requestSubmit(document.getElementById("dispatch-button"));
    }
  });
})();
