"""What happens in the park: major hazards (GB 18218), source terms and threat zones,
forecasts after a confirmed leak, scenario files and the SimPy engine (release, cloud,
detectors, command, people, response, dose), ensembles, QRA and layout comparison.

Public face: ``major_hazards.identify``; ``release.source_term``; ``zones.threat_zones`` and
``zones.Weather``; ``forecast.forecast``; ``scenario_file.load`` -> ``engine.run`` /
``engine.compare`` -> ``results.ScenarioResult``; ``ensemble.run_ensemble``; the people
model in ``evacuation`` (``Evacuation``, ``run_evacuation``); the indoor air of sheltering
buildings in ``shelter``; and the QRA in ``scenarios.qra``.
"""
