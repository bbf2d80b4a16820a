"""deploy/prometheus-alerts.yml and deploy/grafana-dashboard.json: they parse, their PromQL
is valid (promtool), the alerts behave as their unit tests say, and they use only metrics
the index exports."""

import json
import re
import shutil
import subprocess
from pathlib import Path

import pytest
import yaml
from prometheus_client import REGISTRY

from core import metrics

DEPLOY = Path(__file__).resolve().parents[2] / "deploy"
ALERTS = DEPLOY / "prometheus-alerts.yml"
ALERT_TESTS = DEPLOY / "prometheus-alerts.test.yml"
DASHBOARD = DEPLOY / "grafana-dashboard.json"
PROMTOOL = shutil.which("promtool")
needs_promtool = pytest.mark.skipif(PROMTOOL is None, reason="promtool (Debian package prometheus) is not installed")


def exported_names():
    """Every sample name the index can expose (with _total, _bucket, … suffixes)."""
    names = {
        metrics.READY,
        metrics.DEPENDENCY_UP,
        metrics.OUTBOX_BACKLOG,
        metrics.OUTBOX_FAILING,
        metrics.OUTBOX_OLDEST,
        metrics.STORAGE_BYTES,
    }
    for family in REGISTRY.collect():
        if family.name.startswith(metrics.PREFIX):
            base = family.name
            names |= {base, f"{base}_total", f"{base}_bucket", f"{base}_count", f"{base}_sum"}
    return names


def used_names(expr):
    return set(re.findall(r"\b(pypi_[a-z_]+)", expr))


def alert_rules():
    document = yaml.safe_load(ALERTS.read_text())
    return [rule for group in document["groups"] for rule in group["rules"]]


def dashboard_exprs():
    document = json.loads(DASHBOARD.read_text())
    return {panel["title"]: [t["expr"] for t in panel["targets"]] for panel in document["panels"]}


def test_alert_rules_are_complete_and_name_exported_metrics():
    rules = alert_rules()
    names = {rule["alert"] for rule in rules}
    # The signals the operations issue asks for.
    assert {
        "IndexHigh5xxRate",
        "IndexSimpleSlow",
        "IndexUploadRefusalSpike",
        "IndexOutboxBacklog",
        "IndexNodeNotReady",
    } <= names
    exported = exported_names()
    for rule in rules:
        assert rule["labels"]["severity"] in {"critical", "warning"}
        assert rule["annotations"]["summary"] and rule["annotations"]["description"]
        assert used_names(rule["expr"]) <= exported, (rule["alert"], used_names(rule["expr"]) - exported)


def test_dashboard_covers_the_signals_with_exported_metrics():
    panels = dashboard_exprs()
    exported = exported_names()
    used = set()
    for title, exprs in panels.items():
        for expr in exprs:
            assert used_names(expr) <= exported, (title, used_names(expr) - exported)
            used |= used_names(expr)
    for wanted in (
        "pypi_http_requests_total",
        "pypi_http_request_duration_seconds_bucket",
        "pypi_upload_refusals_total",
        "pypi_outbox_backlog",
        "pypi_ready",
        "pypi_page_cache_hits_total",
        "pypi_tasks_total",
        "pypi_rate_limit_refusals_total",
        "pypi_stored_bytes_total",
    ):
        assert wanted in used, wanted


@needs_promtool
def test_promtool_checks_the_rules_and_runs_their_unit_tests():
    check = subprocess.run(
        [PROMTOOL, "check", "rules", str(ALERTS)], capture_output=True, text=True, timeout=60, check=False
    )
    assert check.returncode == 0, check.stdout + check.stderr
    tests = subprocess.run(
        [PROMTOOL, "test", "rules", ALERT_TESTS.name],
        capture_output=True,
        text=True,
        timeout=120,
        cwd=DEPLOY,
        check=False,
    )
    assert tests.returncode == 0, tests.stdout + tests.stderr


@needs_promtool
def test_dashboard_queries_are_valid_promql(tmp_path):
    # promtool parses PromQL in rule files: each panel query becomes a recording rule.
    rules = [
        {"record": f"dashboard:panel_{i}:{j}", "expr": expr.replace("$__rate_interval", "5m")}
        for i, exprs in enumerate(dashboard_exprs().values())
        for j, expr in enumerate(exprs)
    ]
    path = tmp_path / "dashboard-rules.yml"
    path.write_text(yaml.safe_dump({"groups": [{"name": "dashboard", "rules": rules}]}))
    check = subprocess.run(
        [PROMTOOL, "check", "rules", str(path)], capture_output=True, text=True, timeout=60, check=False
    )
    assert check.returncode == 0, check.stdout + check.stderr
