"""CloudWatch's evaluation of a metric alarm, for the deploy rehearsal (the emulator stores
alarms but never evaluates them).

``evaluate(alarm, source, minutes)`` takes an alarm as DescribeAlarms returns it (a single metric
or metric math over ``Metrics``), asks ``source(metric, period_index)`` for each metric's value
in each period (None: no data), computes the returned expression the way metric math does (IF,
FILL, arithmetic, comparisons; a division by zero gives no value) and applies the alarm's rule:
ALARM once ``DatapointsToAlarm`` of the last ``EvaluationPeriods`` datapoints breach, missing
data not breaching (treat_missing_data notBreaching). Returns the minute (from the start of the
traffic) at which the alarm would go to ALARM, or None.
"""

from __future__ import annotations

import ast
from dataclasses import dataclass
from typing import Any, Callable, Optional


@dataclass(frozen=True)
class Metric:
    namespace: str
    name: str
    dimensions: tuple[tuple[str, str], ...]
    period: int
    stat: str

    def dims(self) -> dict[str, str]:
        return dict(self.dimensions)


def metrics_of(alarm: dict[str, Any]) -> tuple[dict[str, Metric], Optional[str], str]:
    """The alarm's metrics by id, the returned expression (None for a single metric) and the id returned."""
    if not alarm.get("Metrics"):
        m = Metric(alarm["Namespace"], alarm["MetricName"],
                   tuple(sorted((d["Name"], d["Value"]) for d in alarm.get("Dimensions", []))),
                   alarm["Period"], alarm.get("Statistic") or alarm.get("ExtendedStatistic"))
        return {"m": m}, None, "m"
    out: dict[str, Metric] = {}
    expression, returned = None, None
    for q in alarm["Metrics"]:
        if "MetricStat" in q:
            st = q["MetricStat"]
            out[q["Id"]] = Metric(st["Metric"]["Namespace"], st["Metric"]["MetricName"],
                                  tuple(sorted((d["Name"], d["Value"]) for d in st["Metric"].get("Dimensions", []))),
                                  st["Period"], st["Stat"])
        if q.get("ReturnData", True) and "Expression" in q:
            expression, returned = q["Expression"], q["Id"]
    return out, expression, returned or next(iter(out))


class _NoValue(Exception):
    pass


def _compute(expression: str, values: dict[str, Optional[float]]) -> Optional[float]:
    tree = ast.parse(expression, mode="eval")

    def ev(node: ast.AST) -> Any:
        if isinstance(node, ast.Expression):
            return ev(node.body)
        if isinstance(node, ast.Constant):
            return float(node.value)
        if isinstance(node, ast.Name):
            v = values.get(node.id)
            if v is None:
                raise _NoValue(node.id)
            return v
        if isinstance(node, ast.BinOp):
            a, b = ev(node.left), ev(node.right)
            if isinstance(node.op, ast.Add):
                return a + b
            if isinstance(node.op, ast.Sub):
                return a - b
            if isinstance(node.op, ast.Mult):
                return a * b
            if isinstance(node.op, ast.Div):
                if b == 0:
                    raise _NoValue("division by zero")
                return a / b
        if isinstance(node, ast.Compare) and len(node.ops) == 1:
            a, b = ev(node.left), ev(node.comparators[0])
            op = node.ops[0]
            return float({ast.Gt: a > b, ast.GtE: a >= b, ast.Lt: a < b, ast.LtE: a <= b, ast.Eq: a == b}[type(op)])
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Name):
            if node.func.id == "IF":  # only the branch taken is computed
                return ev(node.args[1]) if ev(node.args[0]) else ev(node.args[2])
            if node.func.id == "FILL":
                try:
                    return ev(node.args[0])
                except _NoValue:
                    return ev(node.args[1])
        raise ValueError(f"metric math not supported here: {ast.dump(node)}")

    try:
        return ev(tree)
    except _NoValue:
        return None


def _breaches(value: Optional[float], alarm: dict[str, Any]) -> bool:
    if value is None:
        return False  # notBreaching
    t = alarm["Threshold"]
    return {"GreaterThanThreshold": value > t, "GreaterThanOrEqualToThreshold": value >= t,
            "LessThanThreshold": value < t, "LessThanOrEqualToThreshold": value <= t}[alarm["ComparisonOperator"]]


def evaluate(alarm: dict[str, Any], source: Callable[[Metric, int], Optional[float]], minutes: int) -> Optional[float]:
    """The minute at which ``alarm`` would enter ALARM within ``minutes`` of traffic, or None."""
    metrics, expression, returned = metrics_of(alarm)
    periods = {m.period for m in metrics.values()}
    assert len(periods) == 1, f"one period per alarm: {periods}"
    period = periods.pop()
    points: list[bool] = []
    for index in range(int(minutes * 60 // period)):
        values = {mid: source(m, index) for mid, m in metrics.items()}
        value = values[returned] if expression is None else _compute(expression, values)
        points.append(_breaches(value, alarm))
        needed = alarm.get("DatapointsToAlarm") or alarm["EvaluationPeriods"]
        if sum(points[-alarm["EvaluationPeriods"]:]) >= needed:
            return (index + 1) * period / 60
    return None
