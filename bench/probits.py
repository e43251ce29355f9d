"""What the choice of toxic probit source changes.

Where two sources hold a usable probit for a chemical (ammonia, chlorine, hydrogen sulfide:
the Purple Book's Table 5.2 and Lees' via HSE OSD/30), the engine and the QRA take the
Purple Book's (``physics.harm.PROBIT_SOURCES``). This prints the alternative's effect:

1. the concentrations killing 1 % and 50 % in 10, 30 and 60 min under each source;
2. the expected fatalities of the demo scenarios of these chemicals under each source;
3. with ``--qra``, the demo park's QRA under each source (highest individual risk, F-N
   region, top contributors); this takes minutes;
4. a cross-check of rows that stay unused (one transcription each): the lethality each row
   gives at the UK HSE's SLOT dangerous toxic load for the two chemicals whose SLOT the
   HSE's method page works through (methyl isocyanate, 750 ppm.min with n = 1; sulfur
   dioxide, 4.6e6 ppm^2.min with n = 2; "Assessment of the Dangerous Toxic Load (DTL) for
   Specified Level of Toxicity (SLOT) and Significant Likelihood of Death (SLOD)",
   hse.gov.uk/chemicals/haztox.htm). The SLOT is a level at which "highly susceptible
   people [are] possibly being killed" (same page); the page gives no lethality for it, so
   this prints the spread between the rows, it tests none of them.

    .venv/bin/python bench/probits.py [--qra]
"""

import argparse
import sys
from pathlib import Path

import numpy as np
from scipy.special import ndtri

from physics import harm
from scenarios import engine, scenario_file

DEMO = Path(__file__).resolve().parents[1] / "scenarios" / "demo"
CHEMICALS = {"7664-41-7": 0.017031, "7782-50-5": 0.070906, "7783-06-4": 0.03408}
# HSE's worked SLOT DTLs (haztox.htm): CAS -> (name, DTL [ppm^n min], n, molar mass [kg/mol])
HSE_SLOT = {
    "624-83-9": ("methyl isocyanate", 750.0, 1.0, 0.05705),
    "7446-09-5": ("sulfur dioxide", 4.6e6, 2.0, 0.06406),
}
SCENARIOS = ("ammonia_night.toml", "chlorine_day.toml", "h2s_wind_shift.toml")


def lethal_ppm(cas, model, molar_mass, probability, minutes):
    """Concentration [ppm] killing ``probability`` of people in ``minutes`` (closed form)."""
    row = harm.toxic_probit_row(cas, model)
    pr = 5.0 + ndtri(probability)
    c = np.exp(((pr - row["a"]) / row["b"] - np.log(minutes)) / row["n"])
    if row["concentration_unit"] == "ppm":
        return c
    return float(harm.kg_m3_to_ppm(c * 1e-6, molar_mass))


def concentrations():
    print("1. lethal concentrations [ppm] (25 degC), Purple Book / Lees")
    print(
        f"{'chemical':<18}{'level':<7}"
        + "".join(f"{m:>18}" for m in ("10 min", "30 min", "60 min"))
    )
    for cas, m in CHEMICALS.items():
        name = harm.toxic_probit_row(cas)["name"]
        for p in (0.01, 0.5):
            cells = []
            for minutes in (10, 30, 60):
                pb, lees = (lethal_ppm(cas, s, m, p, minutes) for s in harm.PROBIT_SOURCES)
                cells.append(f"{pb:>8.0f} /{lees:>7.0f}")
            print(f"{name:<18}{f'LC{p * 100:.0f}':<7}" + "".join(f"{c:>18}" for c in cells))


def scenarios():
    print("\n2. demo scenarios: expected fatalities (evacuate), Purple Book / Lees")
    for name in SCENARIOS:
        sc = scenario_file.load(DEMO / name)
        figures = []
        for source in harm.PROBIT_SOURCES:
            run = sc.with_changes(run=sc.run.model_copy(update={"probit": source}))
            result = engine.run(run, action="evacuate")
            figures.append(result.shown_figures()["expected_fatalities"])
        above = result.key_figures().get("above_AEGL-3", "-")
        shown = " / ".join(f"{f:.3g}" if isinstance(f, float) else f for f in figures)
        print(f"{name:<24} {shown}   (persons above AEGL-3: {above})")


def qra():
    import twin
    from scenarios.qra.run import run_qra

    print("\n3. demo park QRA (2 workers), Purple Book / Lees")
    park = twin.load_park("demo")
    for source in harm.PROBIT_SOURCES:
        r = run_qra(park, workers=2, progress=False, probit=source)
        print(
            f"{source:<12} max individual risk {r.individual_risk.max():.3e}/yr, "
            f"F-N region {r.region}, {r.seconds:.0f} s"
        )
        top = r.fn_contributors.head(5)
        for row in top.itertuples():
            print(f"    {row.event:<28} {row.expected_deaths_per_year:.2e} deaths/yr")


def slot_check():
    print("\n4. lethality at the HSE SLOT (rows not used: one transcription each)")
    rows = harm.probit_rows()
    for cas, (name, dtl, n, molar_mass) in HSE_SLOT.items():
        for minutes in (5.0, 30.0):
            ppm = (dtl / minutes) ** (1.0 / n)
            cells = []
            for row in (r for r in rows if r["cas"] == cas):
                c = ppm
                if row["concentration_unit"] == "mg/m3":
                    c = float(harm.ppm_to_kg_m3(ppm, molar_mass)) * 1e6
                pr = row["a"] + row["b"] * np.log(c ** row["n"] * minutes)
                cells.append(f"{row['model']} {float(harm.death_probability(pr)):.2%}")
            print(f"{name:<18} {ppm:>7.0f} ppm for {minutes:>2.0f} min: " + ", ".join(cells))


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--qra", action="store_true", help="also run the demo QRA per source")
    args = parser.parse_args(argv)
    concentrations()
    slot_check()
    scenarios()
    if args.qra:
        qra()
    return 0


if __name__ == "__main__":
    sys.exit(main())
