"""The exact solvers: the social optimum (count model, set-partitioning columns, column
pricing) and the bounds on the best and worst equilibrium.
"""
