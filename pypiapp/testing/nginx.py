"""deploy/nginx.conf made concrete, for the suite's end-to-end test and for the benchmark."""
from pathlib import Path

DEPLOY_CONF = Path(__file__).resolve().parent.parent.parent / "deploy" / "nginx.conf"


def production_conf(*, listen, app, packages_root, static_root, cache_dir, prefix, workers):
    """The production config with its placeholders filled in (see the top of deploy/nginx.conf).

    `cache_dir` must exist; nginx makes its cache folders inside it."""
    text = DEPLOY_CONF.read_text()
    for key, value in {
        "__LISTEN__": listen, "__APP__": app.removeprefix("http://"),
        "__PACKAGES_ROOT__": f"{packages_root}/", "__STATIC_ROOT__": f"{static_root}/",
        "__CACHE_DIR__": str(cache_dir), "__PREFIX__": str(prefix), "__WORKERS__": str(workers),
    }.items():
        text = text.replace(key, value)
    return text
