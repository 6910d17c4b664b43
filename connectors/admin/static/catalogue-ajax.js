// After jQuery and sqladmin's main.js: its requests (deleting a row) carry the CSRF header, and
// its delete question is asked in Vietnamese.
(function ($) {
  "use strict";
  if (!$) {
    return;
  }
  $.ajaxSetup({ headers: { "X-CSRF-Token": window.catalogueCsrfToken() } });
  $(document).on("shown.bs.modal", "#modal-delete", function (event) {
    var element = $(event.relatedTarget);
    $("#modal-delete-text").text(
      "Xoá hẳn " + element.data("name") + " " + element.data("pk") + "? Không hoàn tác được."
    );
  });
})(window.jQuery);
