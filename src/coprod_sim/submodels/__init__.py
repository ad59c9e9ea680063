"""The ODD submodels, one module each, each a set of pure functions over arrays.

`CoProductionModel.step` calls them in a fixed order (docs/ODD.md, "Process
overview and scheduling"): crime -> reporting -> response -> policy activities
-> trust -> co-production -> collective efficacy -> perceptions.
"""
