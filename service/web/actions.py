"""The steps a page offers, read from the lifecycle declarations and the API's own routes
(ADR 0051).

Each command route declares which lifecycle command it carries (`CommandWriters`); its body's
model is the command's input model. A page offers exactly the transitions the declaration
allows from the record's state to the viewer's role, each as a form built from that model, and
a submitted form runs the route's own function: the same rules, roles and scope guard as the
API, written once.
"""

from __future__ import annotations

import inspect
import typing
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any, Final
from uuid import UUID

from fastapi import FastAPI
from fastapi.routing import APIRoute, iter_route_contexts
from pydantic import BaseModel

from domain.lifecycle import Lifecycle
from domain.recording import Role
from service.api.access import CommandWriters
from service.api.models import CommandOut

# The parameters a command route's function takes that the web supplies; a route asking for
# anything else is not offered as a form.
SUPPLIED: Final = frozenset({"body", "user", "jejak"})


@dataclass(frozen=True)
class CommandRoute:
    """A lifecycle command as the API carries it: its function, input model and the path
    parameter naming the record it acts on (None for a creation without a parent)."""

    lifecycle: Lifecycle
    command: str
    endpoint: Callable[..., CommandOut]
    model: type[BaseModel]
    subject_parameter: str | None

    def may(self, role: Role) -> bool:
        """Whether the declaration lets `role` issue this command."""
        return role in self.lifecycle.roles_for(self.command)

    def perform(self, subject_id: UUID | None, body: BaseModel, **supplied: Any) -> CommandOut:
        """Run the route's own function (not a copy of what it does)."""
        arguments = {"body": body, **supplied}
        if self.subject_parameter is not None:
            arguments[self.subject_parameter] = subject_id
        return self.endpoint(**arguments)


def _command_route(route: APIRoute) -> CommandRoute | None:
    writers = next(
        (d.dependency for d in route.dependencies if isinstance(d.dependency, CommandWriters)),
        None,
    )
    if writers is None:
        return None
    parameters = set(inspect.signature(route.endpoint).parameters)
    path_parameters = [p.name for p in route.dependant.path_params]
    if len(path_parameters) > 1 or parameters - SUPPLIED - set(path_parameters):
        return None
    model = typing.get_type_hints(route.endpoint).get("body")
    if not (isinstance(model, type) and issubclass(model, BaseModel)):
        return None
    return CommandRoute(
        writers.lifecycle,
        writers.command,
        route.endpoint,
        model,
        path_parameters[0] if path_parameters else None,
    )


def command_routes(app: FastAPI) -> Mapping[tuple[str, str], CommandRoute]:
    """Every lifecycle command the API carries, by (aggregate, command); read from the app's
    routes once. Where two routes carry one command (one person, or a roster), the first
    declared is the form's."""
    routes: dict[tuple[str, str], CommandRoute] | None = getattr(app.state, "web_commands", None)
    if routes is None:
        routes = {}
        for context in iter_route_contexts(app.routes):
            route = context.original_route
            if isinstance(route, APIRoute) and (found := _command_route(route)):
                routes.setdefault((found.lifecycle.aggregate, found.command), found)
        app.state.web_commands = routes
    return routes


def offered_now(app: FastAPI, lifecycle: Lifecycle, state: str, role: Role) -> list[CommandRoute]:
    """The steps the declaration allows from `state` to `role`, in declared order."""
    routes = command_routes(app)
    offered: list[CommandRoute] = []
    for transition in lifecycle.commands_from(state):
        route = routes.get((lifecycle.aggregate, transition.command))
        if route is not None and route.may(role) and route not in offered:
            offered.append(route)
    return offered


def corrections_offered(app: FastAPI, lifecycle: Lifecycle, role: Role) -> list[CommandRoute]:
    """The corrections the declaration lets `role` make, in any state."""
    routes = command_routes(app)
    return [
        route
        for correction in lifecycle.corrections
        if (route := routes.get((lifecycle.aggregate, correction.command))) and route.may(role)
    ]
