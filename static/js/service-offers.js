// On the feedback form: open the service list of the category chosen for a
// problem (R10). Without JavaScript every list is still there, closed.
document.addEventListener("change", function (event) {
  var select = event.target;
  if (!select.name || !/-category$/.test(select.name)) return;
  var offer = document.querySelector('details[data-category="' + select.value + '"]');
  if (offer) offer.open = true;
});
