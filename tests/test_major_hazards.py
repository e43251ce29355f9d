"""GB 18218-2018 identification and grading against hand-computed cases (clause 4.2;
Tables 1, 3, 5 and 6 of the standard)."""

import pytest
from shapely.geometry import Point, box

from scenarios import major_hazards as mh
from twin import load_park


@pytest.mark.parametrize(
    ("people", "alpha"),
    [
        (0, 0.5),
        (1, 1.0),
        (29, 1.0),
        (30, 1.2),
        (49, 1.2),
        (50, 1.5),
        (99, 1.5),
        (100, 2.0),
        (5000, 2.0),
    ],
)
def test_alpha(people, alpha):
    assert mh.alpha_for(people) == alpha


@pytest.mark.parametrize(
    ("r", "grade"), [(250.0, 1), (100.0, 1), (99.9, 2), (50.0, 2), (49.9, 3), (10.0, 3), (9.99, 4)]
)
def test_grade(r, grade):
    assert mh.grade_for(r) == grade


def test_two_toxic_gases_by_hand():
    """10 t chlorine (Q 5 t, beta 4) and 5 t ammonia (Q 10 t, beta 2), 60 people nearby:
    S = 10/5 + 5/10 = 2.5; R = 1.5 * (4 * 2 + 2 * 0.5) = 13.5 -> major, grade 3."""
    s, r, terms, missing = mh.assess({"7782-50-5": 10.0, "7664-41-7": 5.0}, people=60)
    assert s == pytest.approx(2.5)
    assert r == pytest.approx(13.5)
    assert mh.grade_for(r) == 3
    assert not missing and len(terms) == 2


def test_below_threshold_by_hand():
    """400 t methanol (Q 500 t): S = 0.8, not a major hazard."""
    s, _, _, _ = mh.assess({"67-56-1": 400.0}, people=0)
    assert s == pytest.approx(0.8)


def test_lpg_and_benzene_by_hand():
    """200 t LPG (Q 50, beta 1.5) and 60 t benzene (Q 50, beta 1), 120 people:
    S = 4 + 1.2 = 5.2; R = 2.0 * (1.5 * 4 + 1 * 1.2) = 14.4."""
    s, r, _, _ = mh.assess({"68476-85-7": 200.0, "71-43-2": 60.0}, people=120)
    assert (s, r) == pytest.approx((5.2, 14.4))


def test_people_within_500_m():
    """Buildings of other owners and outside targets within 500 m of the plot count, with
    the larger of day and night; the enterprise's own buildings and far ones do not."""
    park = load_park("demo")
    plot = park.enterprises.geometry["E07"]
    b = park.buildings
    near = b[(b["enterprise"] != "E07") & (b.distance(plot) <= 500.0)]
    t = park.targets[park.targets.distance(plot) <= 500.0]
    expected = (
        near[["occupants_day", "occupants_night"]].max(axis=1).sum()
        + t[["population_day", "population_night"]].max(axis=1).sum()
    )
    assert mh.people_near(park, "E07") == expected


def test_demo_chlorine_unit():
    """E01 holds 4 x 50 m3 chlorine at 85 % design maximum fill and 20 degC
    (1409 kg/m3, Perry's DIPPR 105): q = 239.5 t; S = q/5; R = alpha * 4 * S."""
    park = load_park("demo")
    (e01,) = [u for u in mh.identify(park) if u.enterprise == "E01"]
    assert e01.chemicals[0]["q_t"] == pytest.approx(4 * 50 * 0.85 * 1.409, rel=0.002)
    assert e01.s == pytest.approx(e01.chemicals[0]["q_t"] / 5.0)
    assert e01.r == pytest.approx(e01.alpha * 4 * e01.s)
    assert e01.major and e01.grade == 1


def test_people_count_on_a_constructed_park():
    """Geometry alone: a plot, a building 300 m away (40/10 people), one 700 m away."""
    import geopandas as gpd

    class Park:
        enterprises = gpd.GeoDataFrame(geometry=[box(0, 0, 100, 100)], index=["E"])
        buildings = gpd.GeoDataFrame(
            {
                "enterprise": ["X", "X", "E"],
                "occupants_day": [40, 500, 90],
                "occupants_night": [10, 5, 90],
            },
            geometry=[box(400, 0, 410, 10), box(800, 0, 810, 10), box(10, 10, 20, 20)],
        )
        targets = gpd.GeoDataFrame(
            {"population_day": [30], "population_night": [70]}, geometry=[Point(0, 550)]
        )

    assert mh.people_near(Park(), "E") == 40 + 70
