// A map pin (地图定位) over Beijing's districts: Leaflet draws the vendored district GeoJSON, with no tile
// server (the deployment network is closed). On the portal the citizen taps the map, uses the phone's
// location, or pins the map's centre from the keyboard; the pin fills the hidden lat/long inputs. On a
// staff page (data-pin-lat/long) the map only shows where the demand was pinned.
(function () {
  "use strict";
  if (!window.L) return;

  function round6(x) { return Math.round(x * 1e6) / 1e6; }

  // Ray casting over the district's outer rings (the file has no holes), for a pin not placed by a click
  // on a district (the keyboard's centre, the phone's location).
  function inRing(ring, x, y) {
    var inside = false;
    for (var i = 0, j = ring.length - 1; i < ring.length; j = i++) {
      var xi = ring[i][0], yi = ring[i][1], xj = ring[j][0], yj = ring[j][1];
      if ((yi > y) !== (yj > y) && x < (xj - xi) * (y - yi) / (yj - yi) + xi) inside = !inside;
    }
    return inside;
  }
  function districtAt(geojson, latlng) {
    for (var k = 0; k < geojson.features.length; k++) {
      var g = geojson.features[k].geometry;
      var polygons = g.type === "Polygon" ? [g.coordinates] : g.coordinates;
      for (var p = 0; p < polygons.length; p++) {
        if (inRing(polygons[p][0], latlng.lng, latlng.lat)) return geojson.features[k].properties.name;
      }
    }
    return null;
  }

  function setUp(box, geojson) {
    var d = box.dataset;
    var editable = !!d.lat;
    var map = L.map(box, { attributionControl: false, zoomSnap: 0.25, keyboard: true });
    var districts = L.geoJSON(geojson, {
      interactive: false,  // a tap anywhere is the map's: one handler says which district it fell in
      style: { color: "#0d6efd", weight: 1, fillColor: "#e7f1ff", fillOpacity: 0.6 },
      onEachFeature: function (feature, layer) {
        layer.bindTooltip(feature.properties.name, { permanent: true, direction: "center", className: "pin-label" });
      },
    }).addTo(map);
    map.fitBounds(districts.getBounds());
    var marker = null;

    function show(latlng) {
      if (marker) marker.setLatLng(latlng);
      else marker = L.circleMarker(latlng, { radius: 9, color: "#dc3545", weight: 3, fillOpacity: 0.8 }).addTo(map);
    }

    if (!editable) {
      var at = L.latLng(parseFloat(d.pinLat), parseFloat(d.pinLong));
      show(at);
      map.setView(at, 11);
      return;
    }

    var lat = document.getElementById(d.lat), long = document.getElementById(d.long);
    var said = document.getElementById(d.said), clear = document.getElementById(d.clear);

    function place(latlng, name) {
      if (!name) {
        said.textContent = d.outside;
        return;
      }
      show(latlng);
      lat.value = round6(latlng.lat);
      long.value = round6(latlng.lng);
      said.textContent = d.placed.replace("{district}", name);
      clear.hidden = false;
    }

    map.on("click", function (e) { place(e.latlng, districtAt(geojson, e.latlng)); });
    document.getElementById(d.centre).addEventListener("click", function () {
      var centre = map.getCenter();
      place(centre, districtAt(geojson, centre));
    });
    var locate = document.getElementById(d.locate);
    if (locate && navigator.geolocation) {
      locate.hidden = false;
      locate.addEventListener("click", function () {
        said.textContent = d.locating;
        navigator.geolocation.getCurrentPosition(function (pos) {
          var here = L.latLng(pos.coords.latitude, pos.coords.longitude);
          place(here, districtAt(geojson, here));
          if (marker) map.setView(here, 12);
        }, function () { said.textContent = d.noLocation; }, { timeout: 10000 });
      });
    }
    clear.addEventListener("click", function () {
      if (marker) { map.removeLayer(marker); marker = null; }
      lat.value = long.value = "";
      said.textContent = d.none;
      clear.hidden = true;
    });
    // The page came back (an error, perhaps the pin's own): the pin stays where it was, shown, with its
    // Remove button, even outside the city (the error asks to move or remove it). A pin that cannot be
    // read is dropped.
    var keptLat = parseFloat(lat.value), keptLong = parseFloat(long.value);
    if (isFinite(keptLat) && isFinite(keptLong) && Math.abs(keptLat) <= 90 && Math.abs(keptLong) <= 180) {
      var kept = L.latLng(keptLat, keptLong), name = districtAt(geojson, kept);
      show(kept);
      said.textContent = name ? d.placed.replace("{district}", name) : d.outside;
      clear.hidden = false;
    } else if (lat.value || long.value) {
      lat.value = long.value = "";
    }
  }

  document.querySelectorAll(".pin-map[data-geojson]").forEach(function (box) {
    fetch(box.dataset.geojson).then(function (r) { return r.json(); }).then(function (geojson) {
      setUp(box, geojson);
    });
  });
})();
