# Data files shipped with Agent Copilot (installed as the package `copilot.resources`).
