"""Pure, vectorised physical models: chemical properties, source terms, pools, dispersion,
fires, explosions and harm. Every function takes SI numbers (or numpy arrays of them), has
no side effects, and cites the published model it implements. Nothing here imports the rest
of parktwin; everything else may import this.

Modules: ``units`` (parse "50 mm" at the boundary), ``substances`` (properties by name, CAS
or Chinese common name), ``source``, ``pool``, ``atmosphere`` (surface layer: Monin-Obukhov
length, u*, wind profile), ``cloud_mixing`` (adiabatic mixing of a release with moist air),
``integral_plume`` (the dispersion model: dense, slumping and passive phases in one integral
model), ``sigmas`` and ``dispersion`` (Gaussian plume and puffs), ``dense_gas`` (the Britter &
McQuaid workbook, a screening option), ``flammability`` (%LEL of gas mixtures), ``fire``,
``explosion``, ``harm``, ``infiltration`` (air leaking into buildings).
"""
