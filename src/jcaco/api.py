"""The top-level Python API: ``import jcaco``, then ``jcaco.solve(...)`` and friends.

Each function is the one way in to the command of the same name: the command parses its
options, calls the function here and prints or writes what it returns, so the two cannot
drift (``tests/test_api.py``). Each function's docstring is the documentation of its options;
the work is done in the package that owns it (``jobs/``, ``sim/``, ``report/reproduce.py``).
The deep imports (``jcaco.jobs.solve.solve``...) keep working; these are the short way in.
Algorithms are named as on the command line: a registered name (``jcaco list``), an
installed plug-in, or a user's own ``package.module:ClassName``.

Examples
--------
>>> import jcaco
>>> net = jcaco.generate(users=6, aps=2, servers=2, seed=1)
>>> result = jcaco.solve(net, "br", seed=1)
>>> result.evaluation.is_nash
True
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import Any

from jcaco.experiments.sweep import Task
from jcaco.game.optimum.social_optimum import DEFAULT_NODE_LIMIT
from jcaco.jobs.analyze import DEFAULT_ANALYZE_TIME_LIMIT_S, Analysis
from jcaco.jobs.solve import DEFAULT_ITERATIONS, SolveResult
from jcaco.learners.base import Learner
from jcaco.model.instance import GameInstance
from jcaco.scenario.network import Network
from jcaco.sim.dynamics import DynamicsConfig
from jcaco.sim.recorder import Trace
from jcaco.types import FloatArray

Algorithm = str | Callable[..., Learner]
GameLike = GameInstance | Network | str | Path


def load(path: str | Path, *, drop_infeasible: bool = False) -> GameInstance:
    """Read a scenario (built into its game at the mean fading) or an instance file.

    Parameters
    ----------
    path : str or Path
        A ``jcaco.scenario/1`` (JSON, TOML or Parquet) or ``jcaco.instance/1`` (JSON or
        Parquet) file.
    drop_infeasible : bool
        Drop the users no server can serve (else :class:`jcaco.errors.InfeasibleError`).

    Returns
    -------
    GameInstance
        θ, standalone times T (6)-(7) and C (10), steps s* (37).
    """
    from jcaco.model.files import load_game

    return load_game(path, drop_infeasible=drop_infeasible)


def generate(
    *,
    preset: str = "paper",
    users: int | None = None,
    aps: int | None = None,
    servers: int | None = None,
    seed: int = 0,
    overrides: Mapping[str, Any] | None = None,
    catalog: bool | str | Path = False,
    models: Sequence[str] | None = None,
) -> Network:
    """Draw a network from a preset (the paper's Table III), as ``jcaco generate``.

    Parameters
    ----------
    preset : str
        A named generator configuration (``jcaco list``).
    users, aps, servers : int, optional
        N, M, K (else the preset's).
    seed : int
        Root seed; the network is drawn from its ``scenario`` stream.
    overrides : mapping, optional
        Other generator parameters, as ``--set name=value`` (a range as ``(lo, hi)``).
    catalog : bool, str or Path
        Servers from real models, as ``--catalog``: True for the shipped catalog, or a
        measurements CSV or a ``jcaco.servers/1`` file (docs/catalog.md); False: the preset's.
    models : sequence of str, optional
        With ``catalog``: the models to draw from (default all), as ``--models``.

    Returns
    -------
    Network
        The network, without ``meta`` (``jcaco generate`` adds the preset, seed and
        overrides to the file it writes).
    """
    from jcaco.errors import InputError, UnknownNameError
    from jcaco.rng import stream
    from jcaco.scenario.generator import PRESETS, generate_network, with_overrides

    if preset not in PRESETS:
        raise UnknownNameError(f"unknown preset {preset!r}; allowed: {', '.join(PRESETS)}")
    changes = dict(overrides or {})
    for key, value in (("num_users", users), ("num_aps", aps), ("num_servers", servers)):
        if value is not None:
            changes[key] = value
    config = with_overrides(PRESETS[preset], changes)
    if catalog is not False:
        from jcaco.model.catalog_servers import catalog_config

        path = None if catalog is True else catalog
        config = catalog_config(config, path, list(models) if models else None)
    elif models:
        raise InputError("needs --catalog", field="--models")
    return generate_network(config, stream(seed, "scenario"))


def _game(game: GameLike, drop_infeasible: bool = False) -> GameInstance:
    if isinstance(game, GameInstance):  # a user no server can serve is refused, as in a file
        from jcaco.model.files import checked_instance

        return checked_instance(game)
    if isinstance(game, Network):
        from jcaco.model.build import build_instance, check_feasible

        return build_instance(check_feasible(game, drop_infeasible)[0])
    return load(game, drop_infeasible=drop_infeasible)


def _network(scenario: Network | str | Path, drop_infeasible: bool = False) -> Network:
    from jcaco.model.build import check_feasible
    from jcaco.model.files import load_network

    if isinstance(scenario, GameInstance):  # jcaco.load's: a game has no positions to move
        raise TypeError(
            "simulate needs a scenario: a Network (jcaco.generate) or a scenario file name, "
            "not a GameInstance (jcaco.load builds the game, without positions or fading)"
        )
    net = scenario if isinstance(scenario, Network) else load_network(scenario)
    return check_feasible(net, drop_infeasible)[0]


def solve(
    game: GameLike,
    algorithm: Algorithm = "masl",
    *,
    seed: int = 0,
    iterations: int = DEFAULT_ITERATIONS,
    params: Mapping[str, Any] | None = None,
    drop_infeasible: bool = False,
) -> SolveResult:
    """Solve one static game with one algorithm and certify the result, as ``jcaco solve``.

    The learner runs in the slot loop over a static environment (activity redrawn from θ
    each slot; fading at its mean) until it has converged or ``iterations`` slots have
    passed. Its recommendation is scored on the expected game (24)–(28). MASL runs as one
    fused pass per iteration whenever its options allow (:mod:`jcaco.learners.masl.fused`:
    the same draws and the same strategies, to the bit, as the loop).

    Parameters
    ----------
    game : GameInstance, Network, str or Path
        The game (a single, unbatched one), a network, or a scenario or instance file. A
        user that no server can serve raises :class:`jcaco.errors.InfeasibleError` (a
        network's or a file's is dropped instead with ``drop_infeasible``).
    algorithm : str or learner class
        ``masl``, ``br``... (``jcaco list``), ``package.module:ClassName``, or a class.
    seed : int
        Root seed; the learner and the activity draws use its named streams.
    iterations : int
        Slot budget (>= 1); the run stops earlier once the learner has converged.
    params : mapping, optional
        Hyperparameters (strings are converted, as from ``--param name=value``; a value
        outside its range raises ValueError).
    drop_infeasible : bool
        Drop the users no server can serve from a network or file, with a warning (else
        :class:`jcaco.errors.InfeasibleError`), as ``--drop-infeasible``.

    Returns
    -------
    SolveResult
        Its ``to_dict()`` is the ``jcaco.result/1`` document of ``jcaco solve --json``.
    """
    from jcaco.jobs.solve import solve as run

    game = _game(game, drop_infeasible)
    return run(game, algorithm, seed=seed, iterations=iterations, params=params)


def evaluate(game: GameLike, assignment: Mapping[str, Any] | str | Path) -> SolveResult:
    """Score a given assignment on the expected game (24)-(28), as ``jcaco evaluate``.

    Parameters
    ----------
    game : GameInstance, Network, str or Path
    assignment : mapping, str or Path
        ``{"ap": [N], "server": [N]}`` and optionally ``"steps": [N]``, or such a JSON file;
        or a ``jcaco.result/1`` document or file (its ``ap``, ``server`` and ``steps``).
    """
    from jcaco.jobs.evaluate import assignment_of, evaluate_assignment, load_assignment

    if isinstance(assignment, Mapping):
        model = assignment_of(dict(assignment))
    else:
        model = load_assignment(assignment)
    return evaluate_assignment(_game(game), model)


def simulate(
    scenario: Network | str | Path,
    algorithm: Algorithm = "masl",
    *,
    seed: int | Sequence[int] = 0,
    slots: int = 2000,
    params: Mapping[str, Any] | None = None,
    dynamics: DynamicsConfig = DynamicsConfig(),  # noqa: B008 (frozen, immutable)
    record_users: bool = False,
    user_sink: Callable[[int, FloatArray], None] | None = None,
    drop_infeasible: bool = False,
) -> Trace:
    """Run one algorithm over time slots (activity, fading, mobility), as ``jcaco simulate``.

    Per slot (:func:`jcaco.sim.loop.run_loop`): advance activity (1), fading (6) and mobility
    (O3); build the slot's game; the learner acts on the view its declared information allows;
    the slot is scored (8), (11), (25)–(28); the learner observes; the metrics are recorded.

    Parameters
    ----------
    scenario : Network, str or Path
        The network, or a scenario file (every user servable, or ``drop_infeasible``).
    algorithm : str or learner class
        ``masl``, ``br``... (``jcaco list``), ``package.module:ClassName``, or a class.
    seed : int or sequence of int
        Root seed(s); several run as one batch on the same network (a batch that cannot fit
        in memory is refused first, :func:`jcaco.scenario.limits.check_batch_memory`).
    slots : int
        Slots T (>= 1).
    params : mapping, optional
        Hyperparameters (strings are converted, as from ``--param name=value``; a value
        outside its range raises ValueError).
    dynamics : DynamicsConfig
        ``jcaco simulate``'s ``--fading``, ``--mobility``, ``--activity``, ``--step-radius-m``;
        :data:`jcaco.sim.dynamics.STATIC` turns fading and mobility off.
    record_users : bool
        Also keep each user's realised service time in the trace, ``(T, S, N)`` (Fig. 2).
    user_sink : callable, optional
        ``user_sink(slot, times)`` receives each slot's ``(S, N)`` user times (NaN:
        inactive), e.g. :class:`jcaco.sim.user_times.UserTimesWriter`, which streams them
        to Parquet in bounded memory (``jcaco simulate``'s ``users.parquet``).
    drop_infeasible : bool
        Drop the users no server can serve from a network or file, with a warning (else
        :class:`jcaco.errors.InfeasibleError`), as ``--drop-infeasible``.

    Returns
    -------
    Trace
        Per-slot metrics, ``(slots, seeds)`` arrays (``trace.parquet``'s columns), and the
        final recommendation.
    """
    from jcaco.scenario.limits import check_batch_memory
    from jcaco.sim.simulate import simulate as run

    seeds = [seed] if isinstance(seed, int) else list(seed)
    net = _network(scenario, drop_infeasible)
    recorded = slots if record_users and isinstance(slots, int) else 0
    check_batch_memory(net.num_users, net.num_aps, net.num_servers, len(seeds), option="seed",
                       recorded_slots=recorded,
                       slots=slots if isinstance(slots, int) else 0)  # fmt: skip
    return run(
        [net] * len(seeds),
        algorithm,
        seeds,
        slots,
        params=params,
        dynamics=dynamics,
        record_users=record_users,
        user_sink=user_sink,
    )


def analyze(
    game: GameLike,
    *,
    seed: int = 0,
    time_limit_s: float | None = DEFAULT_ANALYZE_TIME_LIMIT_S,
    iterations: int = DEFAULT_ITERATIONS,
    algorithms: Sequence[str] | None = None,
    node_limit: int | None = DEFAULT_NODE_LIMIT,
    progress: Callable[[str], None] | None = None,
    drop_infeasible: bool = False,
) -> Analysis:
    """Exact optimum, best and worst equilibria and every algorithm, as ``jcaco analyze``.

    By default every limit is a count (branch-and-bound nodes, slots), so the result depends
    on the game and the seed alone; where a limit binds the result says so
    (:attr:`Analysis.proven`, :meth:`Analysis.relations`).

    Parameters
    ----------
    game : GameInstance, Network, str or Path
        A single (unbatched) game, a network, or a scenario or instance file.
    seed : int
        Root seed of every algorithm's run (common random numbers).
    time_limit_s : float or None
        Opt-in wall-clock limit per subgame problem (the optimum solves 2, the equilibria 4)
        [s], beside the node limits (default None: none). Not reproducible under load; the
        ``optimum`` planner among the algorithms runs on its node limit alone.
    iterations : int
        Slot budget of each algorithm.
    algorithms : sequence of str, optional
        Registered names, ``package.module:ClassName`` paths or the priced labels
        (:data:`jcaco.learners.registry.PRICED`) to run (default: every registered learner,
        the ``optimum`` planner included, then the priced ones).
    node_limit : int or None
        Branch-and-bound nodes of each main MILP of the optimum and the equilibria
        (:func:`jcaco.game.optimum.social_optimum.solve_subgame`), as ``--node-limit``.
    progress : callable, optional
        Called with a short line before each step (``jcaco analyze`` prints it on standard
        error).
    drop_infeasible : bool
        Drop the users no server can serve from a network or file, with a warning (else
        :class:`jcaco.errors.InfeasibleError`), as ``--drop-infeasible``.
    """
    from jcaco.jobs.analyze import analyze as run

    return run(
        _game(game, drop_infeasible),
        seed=seed,
        time_limit_s=time_limit_s,
        iterations=iterations,
        algorithms=algorithms,
        node_limit=node_limit,
        progress=progress,
    )


def reproduce(
    output: str | Path = "results",
    *,
    only: Sequence[str] | None = None,
    quick: bool = False,
    seeds: int | None = None,
    slots: int | None = None,
    algorithms: Sequence[str] | None = None,
    jobs: int = 1,
    scheduler: str | None = None,
    seeds_per_task: int | None = None,
    root_seed: int = 0,
    on_start: Callable[[int], None] | None = None,
    on_task: Callable[[Task | None], None] | None = None,
    wait_lock: bool = False,
    on_wait: Callable[[str], None] | None = None,
) -> dict[str, Any]:
    """Run the paper's experiments and write the store, figures and report, as
    ``jcaco reproduce`` (a rerun resumes: stored rows are skipped). The store's lock is held
    throughout (one writer per store); the final files (``results.parquet``, ``summary.csv``,
    the figures, ``report.html``) are drawn in a temporary folder and moved in together.

    Parameters
    ----------
    output : str or Path
        Folder of the results store, the figures, ``summary.csv`` and ``report.html``.
    only : sequence of str, optional
        Experiments (``fig4``...), default all.
    quick : bool
        A smaller run of every figure.
    seeds, slots : int, optional
        Seeds R per point and slots T per run.
    algorithms : sequence of str, optional
        The comparison figures' algorithms: their other algorithms are dropped, except the
        planners' reference lines and the ``learned`` experiment's policy, which stay; names
        they lack, a user's own ``package.module:ClassName`` among them, are added as series
        (:func:`jcaco.experiments.paper.with_algorithms`).
    jobs, scheduler, seeds_per_task, root_seed
        As the command's options.
    on_start, on_task : callable, optional
        Progress callbacks (the number of tasks; each finished task).
    wait_lock : bool
        Wait for another process writing the same store instead of raising
        :class:`jcaco.errors.InputError`; ``on_wait`` is told once when waiting starts.

    Returns
    -------
    dict
        Paths (``report``, ``store``, ``summary``, ``figures``), ``rows``, ``tasks_run``,
        ``tasks_total``, ``wall_time_s`` and ``run`` (the report's run table).
    """
    from jcaco.experiments.sweep import RunOptions
    from jcaco.report.reproduce import reproduce as run

    options = RunOptions(
        root_seed=root_seed,
        jobs=jobs,
        scheduler=scheduler,
        seeds_per_task=seeds_per_task,
        on_start=on_start,
        on_task=on_task,
    )
    return run(output, options, only=only, quick=quick, seeds=seeds, slots=slots,
               algorithms=algorithms, wait_lock=wait_lock, on_wait=on_wait)  # fmt: skip


__all__ = ["analyze", "evaluate", "generate", "load", "reproduce", "simulate", "solve"]
