// Small enhancements; every page works without this script.
(function () {
  "use strict";
  // the language switch: change at once when a language is picked (the button stays for no-JS)
  document.addEventListener("change", function (event) {
    var target = event.target;
    if (target && target.id === "ui-lang" && target.form) { target.form.submit(); }
  });
  // the option cards: "show everything" opens every closed section, for reading aloud or printing
  document.addEventListener("click", function (event) {
    var target = event.target;
    if (target && target.matches && target.matches("[data-open-all]")) {
      document.querySelectorAll("details").forEach(function (d) { d.open = true; });
    }
  });
})();
