import pandas as pd


def department_salaries(records):
    frame = pd.DataFrame(records)
    stats = frame.groupby("department")["salary"].agg(["count", "mean", "max"]).sort_index()
    return [
        [department, int(row["count"]), float(row["mean"]), int(row["max"])]
        for department, row in stats.iterrows()
    ]
