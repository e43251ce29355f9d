"""Major hazard installation identification and grading after GB 18218-2018.

Each enterprise is a unit. For every hazardous chemical it holds, q is the design maximum
quantity in its tanks (capacity x design maximum fill x liquid density at the storage
temperature) and Q the critical quantity of the standard (Table 1 by name, else Table 2 by
hazard category). The unit is a major hazard installation when S = sum(q/Q) >= 1, and is
graded by R = alpha * sum(beta q/Q) (clause 4.2 and Tables 3-6):

- beta: Table 3 for the named toxic gases, Table 4 by hazard category for the rest;
- alpha (Table 5) by the number of people who may be exposed outside the unit within 500 m
  of its boundary: 100 or more -> 2.0; 50-99 -> 1.5; 30-49 -> 1.2; 1-29 -> 1.0; none -> 0.5;
- grade (Table 6): R >= 100 grade 1; 50 <= R < 100 grade 2; 10 <= R < 50 grade 3;
  R < 10 grade 4.

People within 500 m are the occupants of buildings of other owners and the population of
outside targets whose outline lies within 500 m of the enterprise's plot, counting the
larger of the day and night figures (the standard counts who may be exposed). Pipelines
between enterprises are not part of any unit. Chemicals the bundled table does not list
are reported as "not listed" and left out of S.
"""

from dataclasses import dataclass, field

import pandas as pd

import geodata
from physics import substances
from twin.park import tank_inventory_kg

EXPOSURE_RADIUS_M = 500.0
_ALPHA = ((100, 2.0), (50, 1.5), (30, 1.2), (1, 1.0), (0, 0.5))  # GB 18218-2018 Table 5
_GRADES = ((100.0, 1), (50.0, 2), (10.0, 3))  # Table 6; below 10 is grade 4


def alpha_for(people: int) -> float:
    """Correction factor alpha for the people who may be exposed (GB 18218-2018 Table 5)."""
    return next(a for n, a in _ALPHA if people >= n)


def grade_for(r: float) -> int:
    """Grade 1 (most severe) to 4 from R (GB 18218-2018 Table 6)."""
    return next((g for limit, g in _GRADES if r >= limit), 4)


@dataclass
class UnitResult:
    enterprise: str
    name: str
    s: float
    r: float
    alpha: float
    people_500m: int
    major: bool
    grade: int | None
    chemicals: list[dict] = field(default_factory=list)  # cas, name, q_t, Q_t, beta
    not_listed: list[str] = field(default_factory=list)


def assess(
    quantities_t: dict[str, float], people: int
) -> tuple[float, float, list[dict], list[str]]:
    """S, R, the per-chemical terms and the unlisted chemicals for a unit holding
    ``quantities_t`` (CAS -> tonnes) with ``people`` exposed within 500 m."""
    terms, missing, s, weighted = [], [], 0.0, 0.0
    for cas, q in quantities_t.items():
        sub = substances.lookup(cas)
        if sub.gb18218_quantity_t is None:
            missing.append(sub.name)
            continue
        ratio = q / sub.gb18218_quantity_t
        s += ratio
        weighted += sub.gb18218_beta * ratio
        terms.append(
            dict(cas=cas, name=sub.name, q_t=q, Q_t=sub.gb18218_quantity_t, beta=sub.gb18218_beta)
        )
    return s, alpha_for(people) * weighted, terms, missing


def people_near(park: geodata.Park, enterprise: str) -> int:
    """People outside the enterprise within 500 m of its plot (larger of day and night)."""
    plot = park.enterprises.geometry[enterprise]
    near = plot.buffer(EXPOSURE_RADIUS_M)
    b = park.buildings
    others = b[(b["enterprise"] != enterprise) & b.intersects(near)]
    t = park.targets
    targets = t[t.intersects(near)]
    return int(
        others[["occupants_day", "occupants_night"]].max(axis=1).sum()
        + targets[["population_day", "population_night"]].max(axis=1).sum()
    )


def identify(park: geodata.Park) -> list[UnitResult]:
    """GB 18218-2018 identification and grading of every enterprise of the park."""
    tanks = park.tanks.copy()
    tanks["q_t"] = tank_inventory_kg(tanks, fill_column="max_fill_fraction") / 1000.0
    results = []
    for eid, row in park.enterprises.iterrows():
        held = tanks[tanks["enterprise"] == eid].groupby("cas")["q_t"].sum().to_dict()
        people = people_near(park, eid)
        s, r, terms, missing = assess(held, people)
        major = s >= 1.0
        results.append(
            UnitResult(
                eid,
                row["name"] or eid,
                s,
                r,
                alpha_for(people),
                people,
                major,
                grade_for(r) if major else None,
                terms,
                missing,
            )
        )
    return results


def to_frame(results: list[UnitResult]) -> pd.DataFrame:
    """One row per unit, for printing and CSV."""
    return pd.DataFrame(
        [
            dict(
                enterprise=u.enterprise,
                name=u.name,
                chemicals="; ".join(
                    f"{c['name']} {c['q_t']:.1f}/{c['Q_t']:g} t" for c in u.chemicals
                ),
                S=round(u.s, 3),
                people_500m=u.people_500m,
                alpha=u.alpha,
                R=round(u.r, 2),
                major_hazard=u.major,
                grade=u.grade if u.grade is not None else "",
                not_listed="; ".join(u.not_listed),
            )
            for u in results
        ]
    )
