"""Decode an ECharts 4 map file (its compact "UTF8Encoding" coordinates) into plain GeoJSON, adding each
district's statistics code. Used by bin/vendor-assets for static/vendor/geo/beijing-districts.json."""

import csv
import json
import sys


def decode_ring(encoded: str, offsets: list[int], scale: float) -> list[list[float]]:
    ring, x_prev, y_prev = [], offsets[0], offsets[1]
    for i in range(0, len(encoded), 2):
        x, y = ord(encoded[i]) - 64, ord(encoded[i + 1]) - 64
        x, y = (x >> 1) ^ -(x & 1), (y >> 1) ^ -(y & 1)  # zigzag
        x, y = x + x_prev, y + y_prev  # delta
        x_prev, y_prev = x, y
        ring.append([round(x / scale, 6), round(y / scale, 6)])
    return ring


def main(source: str, divisions: str, target: str) -> None:
    data = json.load(open(source, encoding="utf-8"))
    scale = data.get("UTF8Scale", 1024)
    codes = {
        r["name"]: r["code"] for r in csv.DictReader(open(divisions, encoding="utf-8")) if r["level"] == "district"
    }
    features = []
    for feature in data["features"]:
        geometry = feature["geometry"]
        if geometry["type"] == "Polygon":
            coordinates = [decode_ring(r, o, scale) for r, o in zip(geometry["coordinates"], geometry["encodeOffsets"])]
        else:
            coordinates = [
                [decode_ring(r, o, scale) for r, o in zip(poly, offs)]
                for poly, offs in zip(geometry["coordinates"], geometry["encodeOffsets"])
            ]
        name = feature["properties"]["name"]
        features.append(
            {
                "type": "Feature",
                "properties": {"name": name, "code": codes[name], "cp": feature["properties"].get("cp")},
                "geometry": {"type": geometry["type"], "coordinates": coordinates},
            }
        )
    json.dump(
        {"type": "FeatureCollection", "features": features},
        open(target, "w", encoding="utf-8"),
        ensure_ascii=False,
        separators=(",", ":"),
    )


if __name__ == "__main__":
    main(*sys.argv[1:4])
