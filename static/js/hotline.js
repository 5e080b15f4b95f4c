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
