# %% Exploration of last month's churn: scratch space, not checked by the linters.
import json
data = json.load(open("records.json"))
len(data)
