/* A small counter under each free-text field that has a length limit (the
   maxlength attribute Django puts on it): "12 / 1000". Progressive: without
   JavaScript the form works the same, and the server checks the limit and
   re-displays the form with a Chinese error. */
(function () {
  "use strict";
  function attach(field) {
    var limit = parseInt(field.getAttribute("maxlength"), 10);
    if (!limit || field.hasAttribute("data-counted")) return;
    field.setAttribute("data-counted", "");
    var counter = document.createElement("p");
    counter.className = "counter";
    counter.setAttribute("aria-live", "polite");
    field.insertAdjacentElement("afterend", counter);
    function update() {
      var used = Array.from(field.value).length; /* characters, as the server counts them */
      counter.textContent = used + " / " + limit;
      counter.classList.toggle("over", used > limit);
    }
    field.addEventListener("input", update);
    update();
  }
  /* textareas, and the longer one-line fields (not codes or phone numbers) */
  document.querySelectorAll("textarea[maxlength], input[type=text][maxlength]").forEach(function (field) {
    if (field.tagName === "TEXTAREA" || parseInt(field.getAttribute("maxlength"), 10) >= 100) attach(field);
  });
})();
