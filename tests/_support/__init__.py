"""Helpers shared by the test modules (reference solvers, case-file builders).

``tests/conftest.py`` puts ``tests/`` on ``sys.path`` so that test modules import these as
``from _support import ...`` under pytest's ``importlib`` import mode.
"""
