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
