// Sorts the pick-up points by distance in this browser. The position is
// asked for only when the person taps the button, is used here and never
// sent anywhere; a refusal is reported (without any position) so the
// button is not offered again for 48 hours.
(function () {
  "use strict";
  var list = document.getElementById("points");
  var button = document.getElementById("by-distance");
  if (!list || !button || !navigator.geolocation || list.dataset.ask !== "yes") {
    return;
  }
  button.hidden = false;
  document.getElementById("by-distance-note").hidden = false;

  function km(lat1, lng1, lat2, lng2) {
    var rad = Math.PI / 180, dLat = (lat2 - lat1) * rad, dLng = (lng2 - lng1) * rad;
    var h = Math.sin(dLat / 2) * Math.sin(dLat / 2) +
      Math.cos(lat1 * rad) * Math.cos(lat2 * rad) * Math.sin(dLng / 2) * Math.sin(dLng / 2);
    return 6371 * 2 * Math.asin(Math.sqrt(h));
  }

  function sortBy(lat, lng) {
    var items = Array.prototype.slice.call(list.querySelectorAll("li[data-lat]"));
    items.forEach(function (li) {
      li.distance = km(lat, lng, Number(li.dataset.lat), Number(li.dataset.lng));
      li.querySelector(".distance").textContent =
        li.distance < 1 ? Math.round(li.distance * 1000) + " m" : li.distance.toFixed(1) + " km";
    });
    items.sort(function (a, b) { return a.distance - b.distance; });
    items.forEach(function (li) { list.appendChild(li); });
    list.dataset.sorted = "distance";
  }

  function refused() {
    button.hidden = true;
    var form = document.getElementById("refused");
    fetch(form.action, { method: "POST", body: new URLSearchParams(new FormData(form)), credentials: "same-origin" });
  }

  button.addEventListener("click", function () {
    navigator.geolocation.getCurrentPosition(function (pos) {
      sortBy(pos.coords.latitude, pos.coords.longitude);
    }, function (err) {
      if (err.code === err.PERMISSION_DENIED) {
        refused();
      }
    });
  });
})();
