// Every page: on logout, forget the drafts this browser kept (they hold callers' numbers and names).
(function () {
  "use strict";
  document.querySelectorAll("form[data-clear-drafts]").forEach(function (form) {
    form.addEventListener("submit", function () {
      try {
        Object.keys(localStorage).forEach(function (key) {
          if (key.indexOf("hotline.") === 0) localStorage.removeItem(key);
        });
      } catch (e) { /* storage disabled */ }
    });
  });
})();

// Behaviour that pages declare with data attributes (the Content-Security-Policy runs no inline
// handler): a confirmation before a destructive submit, a select that submits its form or navigates.
(function () {
  "use strict";
  document.addEventListener("submit", function (event) {
    var message = event.target.getAttribute && event.target.getAttribute("data-confirm");
    if (message && !window.confirm(message)) event.preventDefault();
  }, true);
  document.addEventListener("change", function (event) {
    var el = event.target;
    if (!el.matches) return;
    if (el.matches("select[data-autosubmit]") && el.form) el.form.submit();
    if (el.matches("select[data-navigate]") && el.value) window.location = el.value;
  });
})();

// Long texts: a counter under each textarea with a limit (data-maxlength). The browser does not cut what
// is typed or pasted; past the limit the counter turns red and the server says by how much.
(function () {
  "use strict";
  function attach(area) {
    if (area.dataset.counted) return;
    area.dataset.counted = "1";
    var limit = parseInt(area.dataset.maxlength, 10);
    var counter = document.createElement("div");
    counter.className = "form-text text-end char-counter";
    counter.setAttribute("aria-live", "polite");
    area.insertAdjacentElement("afterend", counter);
    function update() {
      var n = Array.from(area.value).length;  // characters as people count them (one per 汉字 or emoji)
      counter.textContent = n + " / " + limit;
      counter.classList.toggle("text-danger", n > limit);
      counter.classList.toggle("fw-semibold", n > limit);
    }
    area.addEventListener("input", update);
    update();
  }
  function scan(root) { (root.querySelectorAll ? root : document).querySelectorAll("textarea[data-maxlength]").forEach(attach); }
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", function () { scan(document); });
  else scan(document);
  document.body && document.body.addEventListener("htmx:afterSwap", function (event) { scan(event.detail.target); });
})();

// 倒计时: the time left before each open order's deadline (or how long it is overdue) counts down on the
// page, every 30 seconds, in the words the server gave (#countdown-words).
(function () {
  "use strict";
  var source = document.getElementById("countdown-words");
  if (!source) return;
  var words = JSON.parse(source.textContent);
  function part(forms, n) { return forms[n === 1 ? 0 : 1].replace("%d", n); }
  function duration(seconds) {
    var minutes = Math.floor(Math.max(seconds, 0) / 60);
    var days = Math.floor(minutes / 1440), hours = Math.floor(minutes / 60) % 24, mins = minutes % 60;
    if (days) return [part(words.day, days), hours ? part(words.hour, hours) : ""].join(" ").trim();
    if (hours) return [part(words.hour, hours), mins ? part(words.minute, mins) : ""].join(" ").trim();
    return part(words.minute, mins);
  }
  function update() {
    document.querySelectorAll(".countdown[data-deadline]").forEach(function (el) {
      var seconds = Math.floor((Date.parse(el.dataset.deadline) - Date.now()) / 1000);
      var over = seconds < 0;
      el.textContent = (over ? words.over : words.left).replace("%(time)s", duration(over ? -seconds : seconds));
      el.classList.toggle("text-danger", over);
      el.classList.toggle("fw-semibold", over);
    });
  }
  window.setInterval(update, 30000);
})();

// 答复模板 and 受理模板: a template picked in a form fills the text it names (data-fills): an empty text takes
// it, a text already begun gets it added on a new line; the counter follows. The first 【…】 blank of what
// was added is selected, so that the person types over it (Tab-free: the next blank is one click away).
(function () {
  "use strict";
  document.addEventListener("change", function (event) {
    var select = event.target;
    if (!select.matches || !select.matches("select[data-fills]") || !select.value || !select.form) return;
    var target = select.form.elements.namedItem(select.dataset.fills);
    if (!target) return;
    var start = target.value.trim() ? target.value.replace(/\s+$/, "").length + 1 : 0;
    target.value = start ? target.value.replace(/\s+$/, "") + "\n" + select.value : select.value;
    select.value = "";  // the same template can be picked again
    target.dispatchEvent(new Event("input", { bubbles: true }));
    target.focus();
    var open = target.value.indexOf("【", start), close = open < 0 ? -1 : target.value.indexOf("】", open);
    if (close > open) target.setSelectionRange(open, close + 1);
    else target.setSelectionRange(target.value.length, target.value.length);
  });
})();
