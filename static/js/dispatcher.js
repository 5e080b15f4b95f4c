// The dispatcher's page (智能派单): F2 in a row takes that row's first suggestion (its category and unit).
(function () {
  "use strict";
  document.addEventListener("keydown", function (event) {
    if (event.key !== "F2") return;
    var row = event.target.closest && event.target.closest("tr");
    var button = row ? row.querySelector(".accept-first") : document.querySelector(".accept-first");
    if (!button) return;
    event.preventDefault();
    button.click();
  });
})();
