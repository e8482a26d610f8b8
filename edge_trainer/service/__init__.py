"""Running under systemd: notify/watchdog, signals, and restart budgets for workers."""

from edge_trainer.service.notify import Notifier
from edge_trainer.service.restart import RestartBudget, SupervisedThread
from edge_trainer.service.runtime import ServiceRuntime
from edge_trainer.service.signals import SignalHandlers
from edge_trainer.service.watchdog import FrameWatchdog

__all__ = [
    "FrameWatchdog",
    "Notifier",
    "RestartBudget",
    "ServiceRuntime",
    "SignalHandlers",
    "SupervisedThread",
]
