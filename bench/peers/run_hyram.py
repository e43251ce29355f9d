"""Run HyRAM+ (package hyram 6.1, GPL-3.0; called, not copied) jet-fire and TNT cases.

Case keys: id, kind ("jet_fire" or "tnt"), species (CoolProp name, e.g. "CH4"),
pressure_Pa, temperature_K, orifice_m, ambient_pressure_Pa, ambient_temperature_K,
relative_humidity (0-1, jet_fire), tnt_factor (tnt), locations (list of [x, y, z] m;
the jet points along +x from the origin).

Results, jet_fire: flux_W_m2 at each location, mass_flow_kg_s, visible_length_m,
radiant_fraction. tnt: overpressure_Pa at each location, mass_flow_kg_s,
flammable_mass_kg, tnt_mass_kg (origin at the orifice).
hyram API used: hyram.phys.api.create_fluid, jet_flame_analysis, compute_overpressure.
"""

import tempfile

from _protocol import serve
from hyram.phys import api


def run_case(case: dict) -> dict:
    amb = api.create_fluid(
        "AIR", temp=case["ambient_temperature_K"], pres=case["ambient_pressure_Pa"]
    )
    rel = api.create_fluid(case["species"], temp=case["temperature_K"], pres=case["pressure_Pa"])
    locations = [tuple(p) for p in case["locations"]]
    with tempfile.TemporaryDirectory() as tmp:
        if case["kind"] == "jet_fire":
            _, _, flux, mdot, _, length, xrad = api.jet_flame_analysis(
                amb,
                rel,
                case["orifice_m"],
                rel_humid=case["relative_humidity"],
                create_temp_plot=False,
                create_flux_plot=False,
                flux_coordinates=locations,
                output_dir=tmp,
            )
            return {
                "flux_W_m2": [float(v) for v in flux],
                "mass_flow_kg_s": float(mdot),
                "visible_length_m": float(length),
                "radiant_fraction": float(xrad),
            }
        out = api.compute_overpressure(
            "tnt",
            locations,
            amb,
            rel,
            case["orifice_m"],
            tnt_factor=case["tnt_factor"],
            origin_at_orifice=True,
            create_overpressure_plot=False,
            create_impulse_plot=False,
            output_dir=tmp,
        )
    return {
        "overpressure_Pa": [float(v) for v in out["overpressures"]],
        "mass_flow_kg_s": float(out["mass_flow_rate"]),
        "flammable_mass_kg": float(out["flam_or_det_mass"]),
        "tnt_mass_kg": float(out["tnt_mass"]),
    }


if __name__ == "__main__":
    serve(run_case)
