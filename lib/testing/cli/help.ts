/** `jujusim --help`. */
export const HELP = `Usage: jujusim [--seed N] [--no-wait] <command> [options] [args]

A Juju simulator with the verbs of the juju 3.6 CLI. State lives in $JUJUSIM_HOME
(default ./.jujusim). Hooks run as processes with the hook tools on PATH, as on a unit agent.

There is no background agent: every command that changes the model (deploy, add-unit,
integrate, config k=v, resolve, ...) enqueues hooks and then RUNS THEM UNTIL SETTLED before it
returns, unless --no-wait is given; \`jujusim wait\` settles whatever is queued.

Global options:
  --seed N        shuffle the interleaving of hooks across units (same seed, same run)
  --no-wait       enqueue hooks without running them (settle later with \`wait\`)
  -m, --model M   model to act on (default: the current model, see \`switch\`)

Commands:
  add-model NAME [--agent-version V]        add a model (3.6.x default; 2.9.x supported) and switch to it
  models [--format tabular|yaml|json]       list models (* = current)
  switch MODEL                              make MODEL the current model
  deploy PATH [APP] [-n N] [--config k=v]   deploy a charm directory or .charm file
  add-unit APP [-n N]                       add units
  remove-unit UNIT...                       remove units
  remove-application APP...                 remove applications
  integrate A[:EP] B[:EP]                   integrate (alias: relate); either side may be a SAAS name or offer URL
  remove-relation A[:EP] B[:EP] | ID        remove a relation
  offer [MODEL.]APP:EP[,EP] [NAME]          offer endpoints for cross-model relations
  consume URL [ALIAS]                       add a SAAS entry for an offer
  config APP [KEY | k=v ...]                show, get or set application config
  run UNIT ACTION [k=v ...]                 run an action and print its results (values are YAML)
  exec --unit UNIT -- COMMAND...            run a command in a hook context of UNIT
  status [--relations] [--format F]         model status (tabular|yaml|json)
  secrets [--format F]                      list secrets (alias: list-secrets)
  show-secret ID|NAME [--reveal] [--revisions] [--format yaml|json]
  show-unit UNIT [--format yaml|json]       unit details including relation-info
  resolve UNIT [--no-retry]                 re-run (or skip) a failed hook (alias: resolved)
  debug-log [--replay] [-n N]               print the model's log (not followed)
  wait [--timeout S]                        run hooks until every queue is empty
`;
