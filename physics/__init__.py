"""Pure, vectorised physical models: chemical properties, source terms, pools, dispersion,
fires, explosions and harm. Every function takes SI numbers (or numpy arrays of them), has
no side effects, and cites the published model it implements. Nothing here imports the rest
of parktwin; everything else may import this.

Modules: ``units`` (parse "50 mm" at the boundary), ``substances`` (properties by name, CAS
or Chinese common name), ``source``, ``pool``, ``sigmas``, ``dispersion``, ``dense_gas``, ``fire``,
``explosion``, ``harm``, ``infiltration`` (air leaking into buildings).
"""
