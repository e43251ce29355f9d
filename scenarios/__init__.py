"""What happens in the park: consequence runs, forecasts, scenario files, the SimPy engine,
ensembles, QRA and layout comparison.

Public face so far: ``major_hazards.identify`` (GB 18218-2018 identification and grading).
"""
