import pandas as pd


def department_salaries(records: list[dict]) -> list[list]:
    ...
