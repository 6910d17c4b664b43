// Catalogue pages (sqladmin, /admin/catalogue/db): every form posted carries the console's CSRF
// token (from <meta name="csrf-token">), which the catalogue's sign-in check requires.
(function () {
  "use strict";
  function token() {
    var meta = document.querySelector('meta[name="csrf-token"]');
    return meta ? meta.getAttribute("content") : "";
  }
  document.addEventListener("submit", function (event) {
    var form = event.target;
    if (!(form instanceof HTMLFormElement) || form.method.toLowerCase() !== "post") {
      return;
    }
    if (!form.querySelector('input[name="csrf_token"]')) {
      var field = document.createElement("input");
      field.type = "hidden";
      field.name = "csrf_token";
      field.value = token();
      form.appendChild(field);
    }
  }, true);
  window.catalogueCsrfToken = token;
})();
