"""Descriptive statistics, called from .NET with IPythonRuntime.InvokeAsync("stats", "summarize", [...])."""
import statistics


def summarize(values, label="values"):
    """Returns count, mean, median, standard deviation, range and outliers (beyond two deviations) of values."""
    if not values:
        raise ValueError("summarize() needs at least one value")
    mean = statistics.fmean(values)
    stdev = statistics.stdev(values) if len(values) > 1 else 0.0
    outliers = [v for v in values if stdev and abs(v - mean) > 2 * stdev]
    print(f"{label}: {len(values)} values, mean {mean:.2f}, {len(outliers)} outlier(s)")
    return {
        "label": label,
        "count": len(values),
        "mean": round(mean, 3),
        "median": statistics.median(values),
        "stdev": round(stdev, 3),
        "min": min(values),
        "max": max(values),
        "outliers": outliers,
    }
