"""Server-side SVG charts: well-formed, accessible, escaped, and drawn to the data."""

import itertools
import re
import xml.etree.ElementTree as ET

import pytest
from django.utils.safestring import SafeString

from motcua.monitoring.charts import bar_chart, hbar_chart, nice_ticks, sparkline

NS = {"svg": "http://www.w3.org/2000/svg"}
MONTHS = [f"T{i}" for i in range(1, 13)]


def parse(svg: str) -> ET.Element:
    assert isinstance(svg, SafeString)
    root = ET.fromstring(svg)
    assert root.tag == "{http://www.w3.org/2000/svg}svg"
    return root


def find(root: ET.Element, tag: str, cls: str | None = None) -> list[ET.Element]:
    found = root.iter(f"{{{NS['svg']}}}{tag}")
    return [e for e in found if cls is None or cls in e.get("class", "").split()]


def title_of(element: ET.Element) -> str:
    return element.find("svg:title", NS).text


def assert_accessible(root: ET.Element, label: str) -> None:
    assert root.get("role") == "img"
    assert root.get("aria-label") == label
    assert title_of(root) == label


def numbers(root: ET.Element) -> list[str]:
    """Every numeric attribute value, to check the one-decimal rounding."""
    found = []
    for element in root.iter():
        for name, value in element.attrib.items():
            if name in {"x", "y", "width", "height", "cx", "cy", "x1", "x2", "y1", "y2"}:
                found.append(value)
            elif name in {"points", "viewBox"}:
                found.extend(re.split(r"[ ,]+", value))
    return found


# -- nice ticks -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("maximum", "expected"),
    [
        (87, [0, 20, 40, 60, 80, 100]),
        (100, [0, 20, 40, 60, 80, 100]),
        (72, [0, 20, 40, 60, 80]),
        (3, [0, 1, 2, 3]),
        (12345, [0, 5000, 10000, 15000]),
        (0.87, [0, 0.2, 0.4, 0.6, 0.8, 1]),
        (0, [0]),
        (-5, [0]),
    ],
)
def test_nice_ticks_use_round_steps_covering_the_maximum(maximum, expected):
    assert nice_ticks(maximum) == expected


def test_nice_ticks_always_give_three_to_five_round_intervals():
    for maximum in [*range(1, 1001), 1234.5, 98765, 0.05, 0.013]:
        ticks = nice_ticks(maximum)
        step = ticks[1] - ticks[0]
        assert 3 <= len(ticks) - 1 <= 5, maximum
        assert ticks[-1] >= maximum > ticks[-2], maximum
        mantissa = step / 10 ** int(f"{step:e}".split("e")[1])
        assert round(mantissa, 6) in {1, 2, 5}, (maximum, step)


def test_integer_ticks_never_go_below_one():
    assert nice_ticks(1, integer=True) == [0, 1]
    assert nice_ticks(2, integer=True) == [0, 1, 2]


# -- sparkline ------------------------------------------------------------------------------


def test_sparkline_draws_one_polyline_through_every_point():
    root = parse(sparkline([1, 5, 3, 8], label="Hồ sơ mới"))
    assert_accessible(root, "Hồ sơ mới")
    (line,) = find(root, "polyline")
    points = [tuple(map(float, p.split(","))) for p in line.get("points").split()]
    assert len(points) == 4
    xs = [x for x, _ in points]
    assert xs == sorted(xs) and xs[0] < xs[-1]
    ys = {value: y for value, (_, y) in zip([1, 5, 3, 8], points, strict=True)}
    # Higher values sit higher (smaller y), inside the 32 px box.
    assert ys[8] < ys[5] < ys[3] < ys[1] <= 32 and ys[8] >= 0
    (dot,) = find(root, "circle", "spark-last")
    assert (float(dot.get("cx")), float(dot.get("cy"))) == points[-1]


def test_sparkline_gaps_break_the_line():
    root = parse(sparkline([1, 2, None, 3, 4, 5, None, None, 6, 2], label="x"))
    lines = find(root, "polyline")
    assert [len(line.get("points").split()) for line in lines] == [2, 3, 2]


def test_sparkline_dot_marks_the_last_known_point_and_lone_points_stay_visible():
    root = parse(sparkline([4, 2, None, 7, None, None], width=100, label="x"))
    assert len(find(root, "polyline")) == 1
    (last,) = find(root, "circle", "spark-last")
    # Point 3 of 6 (index 3) of a 100 px line with 3 px padding.
    assert float(last.get("cx")) == pytest.approx(3 + 3 * 94 / 5, abs=0.05)
    assert float(last.get("cy")) == pytest.approx(3, abs=0.05)  # the highest value


def test_sparkline_constant_values_draw_a_flat_line_in_the_middle():
    root = parse(sparkline([5, 5, 5], height=40, label="x"))
    (line,) = find(root, "polyline")
    assert {p.split(",")[1] for p in line.get("points").split()} == {"20"}


@pytest.mark.parametrize("values", [[], [None, None], [float("nan")]])
def test_sparkline_without_data_is_just_the_title(values):
    root = parse(sparkline(values, label="Chưa có dữ liệu"))
    assert_accessible(root, "Chưa có dữ liệu")
    assert not find(root, "polyline") and not find(root, "circle")


def test_sparkline_colour_and_rounding():
    svg = sparkline([1 / 3, 2 / 3, 1, 0.1], label="x", colour="#0a5")
    root = parse(svg)
    assert find(root, "polyline")[0].get("stroke") == "#0a5"
    assert all(re.fullmatch(r"-?\d+(\.\d)?", n) for n in numbers(root))


# -- bar chart ------------------------------------------------------------------------------


def two_series():
    return [
        ("Đúng hạn", [10, 20, 30, 25, 40, 50, 30, 20, 10, 5, 3, 60], "#2a7"),
        ("Trễ hạn", [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12], "#d43"),
    ]


@pytest.mark.parametrize("stacked", [True, False])
def test_bar_chart_draws_one_bar_per_value(stacked):
    root = parse(bar_chart(MONTHS, two_series(), label="Hồ sơ theo tháng", stacked=stacked))
    assert_accessible(root, "Hồ sơ theo tháng")
    bars = find(root, "rect", "bar")
    assert len(bars) == 24
    assert {b.get("fill") for b in bars} == {"#2a7", "#d43"}
    assert title_of(bars[0]) == "T1 · Đúng hạn: 10"
    assert all(float(b.get("height")) > 0 for b in bars)
    assert all(re.fullmatch(r"-?\d+(\.\d)?", n) for n in numbers(root))


def test_stacked_segments_sit_on_each_other_and_heights_follow_values():
    root = parse(
        bar_chart(["A", "B"], [("s1", [30, 60], "red"), ("s2", [10, 0], "blue")], label="x")
    )
    bars = {title_of(b): b for b in find(root, "rect", "bar")}
    assert set(bars) == {"A · s1: 30", "B · s1: 60", "A · s2: 10"}  # zero draws nothing
    a1, a2, b1 = bars["A · s1: 30"], bars["A · s2: 10"], bars["B · s1: 60"]
    assert float(a2.get("y")) + float(a2.get("height")) == pytest.approx(float(a1.get("y")))
    assert a1.get("x") == a2.get("x") != b1.get("x")
    assert float(b1.get("height")) == pytest.approx(2 * float(a1.get("height")), abs=0.2)


def test_grouped_bars_stand_side_by_side_on_the_baseline():
    root = parse(
        bar_chart(["A"], [("s1", [30], "red"), ("s2", [10], "blue")], label="x", stacked=False)
    )
    s1, s2 = find(root, "rect", "bar")
    bottoms = {float(b.get("y")) + float(b.get("height")) for b in (s1, s2)}
    assert len(bottoms) == 1
    assert float(s1.get("x")) + float(s1.get("width")) == pytest.approx(float(s2.get("x")), abs=0.1)
    assert float(s1.get("width")) <= 40
    # 30 tops out the 0–30 axis; 10 is a third of it.
    assert float(s1.get("height")) == pytest.approx(3 * float(s2.get("height")), abs=0.2)


def test_bar_chart_y_axis_uses_nice_ticks_and_value_format():
    root = parse(bar_chart(["A", "B"], [("s", [87, 40], "#000")], label="x", stacked=False))
    labels = [t.text for t in find(root, "text", "y-label")]
    assert labels == ["0", "20", "40", "60", "80", "100"]
    assert len(find(root, "line", "grid")) == 5

    root = parse(bar_chart(["A"], [("s", [12345], "#000")], label="x"))
    assert [t.text for t in find(root, "text", "y-label")] == ["0", "5.000", "10.000", "15.000"]
    assert title_of(find(root, "rect", "bar")[0]) == "A · s: 12.345"

    root = parse(
        bar_chart(["A"], [("s", [0.5], "#000")], label="x", value_format=lambda v: f"{v:.0%}")
    )
    assert [t.text for t in find(root, "text", "y-label")] == [
        "0%",
        "10%",
        "20%",
        "30%",
        "40%",
        "50%",
    ]


def test_taller_ticks_sit_higher():
    root = parse(bar_chart(["A"], [("s", [87], "#000")], label="x"))
    ys = [float(t.get("y")) for t in find(root, "text", "y-label")]
    assert ys == sorted(ys, reverse=True) and len(set(ys)) == len(ys)
    (bar,) = find(root, "rect", "bar")
    # 87 of a 0–100 axis: the bar top sits 87 % of the way from the 0 to the 100 gridline.
    assert float(bar.get("y")) == pytest.approx(ys[0] - 0.87 * (ys[0] - ys[-1]), abs=0.2)


@pytest.mark.parametrize(
    ("categories", "series"),
    [
        ([], []),
        (MONTHS, []),
        (MONTHS, [("Không có", [0] * 12, "#ccc")]),
        (MONTHS, [("Thiếu", [], "#ccc"), ("None", [None] * 12, "#ccc")]),
    ],
)
def test_bar_chart_without_data_draws_axes_and_a_zero_baseline(categories, series):
    root = parse(bar_chart(categories, series, label="Trống"))
    assert_accessible(root, "Trống")
    assert not find(root, "rect", "bar")
    assert [t.text for t in find(root, "text", "y-label")] == ["0"]
    assert len(find(root, "line", "axis")) == 2


def test_bar_chart_shows_every_label_when_there_is_room():
    root = parse(bar_chart(MONTHS, two_series(), label="x"))
    assert [t.text for t in find(root, "text", "x-label")] == MONTHS


def test_bar_chart_thins_out_crowded_category_labels():
    categories = [f"T{i % 12 + 1}/{2023 + i // 12}" for i in range(36)]
    root = parse(bar_chart(categories, [("s", list(range(1, 37)), "#36c")], label="x"))
    assert len(find(root, "rect", "bar")) == 36
    labels = find(root, "text", "x-label")
    assert 3 <= len(labels) < 36
    assert labels[0].text == "T1/2023"
    shown = [t.text for t in labels]
    step = categories.index(shown[1])
    assert shown == categories[::step]
    # Neighbouring labels are further apart than the widest label is long (~6.2 px a char).
    xs = [float(t.get("x")) for t in labels]
    assert min(b - a for a, b in itertools.pairwise(xs)) >= 8 * 6.2


def test_bar_chart_legend_lists_each_series():
    root = parse(bar_chart(MONTHS, two_series(), label="x"))
    swatches = find(root, "rect", "legend-swatch")
    assert [s.get("fill") for s in swatches] == ["#2a7", "#d43"]
    legend_texts = [g.find("svg:text", NS).text for g in find(root, "g", "legend-item")]
    assert legend_texts == ["Đúng hạn", "Trễ hạn"]


def test_bar_chart_escapes_text_and_keeps_vietnamese():
    svg = bar_chart(
        ["<b>Quý 1</b>"],
        [("Hộ tịch & chứng thực", [5], 'red" onload="x')],
        label='Tỉ lệ <script>alert("đúng hạn")</script>',
    )
    assert "<script>" not in svg and "<b>" not in svg and 'onload="x"' not in svg
    assert "Hộ tịch &amp; chứng thực" in svg
    root = parse(svg)
    assert root.get("aria-label") == 'Tỉ lệ <script>alert("đúng hạn")</script>'
    (bar,) = find(root, "rect", "bar")
    assert title_of(bar) == "<b>Quý 1</b> · Hộ tịch & chứng thực: 5"
    assert bar.get("fill") == 'red" onload="x'  # an attribute value, not new attributes


def test_bar_chart_output_is_deterministic():
    assert bar_chart(MONTHS, two_series(), label="x") == bar_chart(MONTHS, two_series(), label="x")


# -- horizontal bars ------------------------------------------------------------------------


def ranking():
    return [
        ("Sở Tư pháp", 120, "#36c"),
        ("UBND phường Bến Nghé", 87, "#36c"),
        ("Sở Xây dựng", 30, "#c63"),
    ]


def test_hbar_chart_draws_one_row_per_item_with_values():
    root = parse(hbar_chart(ranking(), label="Xếp hạng đơn vị"))
    assert_accessible(root, "Xếp hạng đơn vị")
    rows = find(root, "g", "hbar-row")
    bars = find(root, "rect", "bar")
    assert len(rows) == len(bars) == 3
    assert [t.text for t in find(root, "text", "value")] == ["120", "87", "30"]
    assert [b.get("fill") for b in bars] == ["#36c", "#36c", "#c63"]
    widths = [float(b.get("width")) for b in bars]
    assert widths[0] > widths[1] > widths[2] > 0
    assert widths[1] / widths[0] == pytest.approx(87 / 120, abs=0.01)
    # Each value is printed just past its bar's end.
    for bar, value in zip(bars, find(root, "text", "value"), strict=True):
        end = float(bar.get("x")) + float(bar.get("width"))
        assert end < float(value.get("x")) <= end + 10
    assert float(bars[0].get("x")) + widths[0] <= 480


def test_hbar_chart_height_grows_with_rows():
    one = parse(hbar_chart(ranking()[:1], label="x"))
    three = parse(hbar_chart(ranking(), label="x"))
    grown = float(three.get("height")) - float(one.get("height"))
    assert grown == pytest.approx(2 * 22)
    ys = [float(b.get("y")) for b in find(three, "rect", "bar")]
    assert ys == sorted(ys) and ys[-1] + 14 <= float(three.get("height"))


def test_hbar_chart_max_value_sets_the_scale():
    free = parse(hbar_chart([("A", 50, "#000")], label="x"))
    fixed = parse(hbar_chart([("A", 50, "#000"), ("B", 150, "#000")], label="x", max_value=100))
    full = float(find(free, "rect", "bar")[0].get("width"))
    half, clipped = (float(b.get("width")) for b in find(fixed, "rect", "bar"))
    assert half == pytest.approx(clipped / 2, abs=0.1)
    assert clipped == pytest.approx(full, abs=10)  # 150 is clipped to the 100 scale


def test_hbar_chart_truncates_long_labels_but_keeps_them_in_the_title():
    long_name = "Ủy ban nhân dân phường Bến Nghé, Quận 1, Thành phố Hồ Chí Minh"
    root = parse(hbar_chart([(long_name, 10, "#000"), ("Ngắn", 5, "#000")], label="x"))
    long_row, short_row = find(root, "g", "hbar-row")
    shown = long_row.find("svg:text", NS).text
    assert shown.endswith("…") and len(shown) <= 38
    assert long_name.startswith(shown[:-1])
    assert title_of(long_row) == f"{long_name}: 10"
    assert short_row.find("svg:text", NS).text == "Ngắn"


def test_hbar_chart_escapes_and_survives_zero_and_empty():
    root = parse(hbar_chart([("A & <B>", 0, "#000")], label="Trống & <rỗng>"))
    assert_accessible(root, "Trống & <rỗng>")
    (row,) = find(root, "g", "hbar-row")
    assert row.find("svg:text", NS).text == "A & <B>"
    assert float(find(root, "rect", "bar")[0].get("width")) == 0
    empty = parse(hbar_chart([], label="x"))
    assert_accessible(empty, "x")
    assert not find(empty, "rect")
