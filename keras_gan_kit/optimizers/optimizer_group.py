"""`OptimizerGroup`: several optimizers behind one `keras.Model.optimizer`."""

from __future__ import annotations

import keras

__all__ = ["OptimizerGroup"]


@keras.saving.register_keras_serializable(package="keras_gan_kit")
class OptimizerGroup(keras.optimizers.Optimizer):
    """Holds one optimizer per network, as the single `model.optimizer`.

    Keras threads, saves and restores the state of `model.optimizer` only (the
    JAX trainer carries `model.optimizer.variables` through its jitted step;
    `.keras` files and `BackupAndRestore` store `model.optimizer`). A GAN has
    one optimizer per network, so they live in this container. Each member
    owns a list of variables, matched by identity (never by name, since
    variable paths change after `keras.models.load_model`).

    `iterations` counts completed training steps of the whole model; each
    member keeps its own `iterations` (the number of updates it applied).

    Args:
        optimizers: dict of str to `keras.optimizers.Optimizer`. The members, in
            the order their state is stored, e.g.
            `{"discriminator": Adam(...), "generator": Adam(...)}`.
        name: str. Defaults to `"optimizer_group"`.

    Example:

    ```python
    group = OptimizerGroup({"discriminator": keras.optimizers.Adam(2e-4),
                            "generator": keras.optimizers.Adam(2e-4)})
    group.build_members({"discriminator": d.trainable_variables,
                         "generator": g.trainable_variables})
    group["generator"].learning_rate.assign(1e-4)
    ```
    """

    def __init__(self, optimizers: dict, name: str | None = None, **kwargs):
        kwargs.pop("learning_rate", None)
        super().__init__(learning_rate=0.0, name=name or "optimizer_group", **kwargs)
        if not isinstance(optimizers, dict) or not optimizers:
            raise ValueError(
                "OptimizerGroup expects a non-empty dict of name -> optimizer. "
                f"Received: optimizers={optimizers!r}"
            )
        seen = set()
        for key, optimizer in optimizers.items():
            if not isinstance(optimizer, keras.optimizers.Optimizer):
                raise ValueError(
                    f"OptimizerGroup member {key!r} is not a keras optimizer. "
                    f"Received: {optimizer!r}"
                )
            if id(optimizer) in seen:
                raise ValueError(
                    "Each network needs its own optimizer instance (their states "
                    f"would be mixed). Received the same instance twice, for {key!r}."
                )
            seen.add(id(optimizer))
        self._members = dict(optimizers)

    @property
    def members(self) -> dict:
        """The member optimizers, by name."""
        return dict(self._members)

    def __getitem__(self, key: str):
        return self._members[key]

    def build_members(self, variables: dict) -> None:
        """Builds each member on its own variables.

        Args:
            variables: dict of str to list of variables, one entry per member.
        """
        if set(variables) != set(self._members):
            raise ValueError(
                "build_members() needs one variable list per member. Received keys "
                f"{sorted(variables)}, expected {sorted(self._members)}."
            )
        all_variables = []
        for key, optimizer in self._members.items():
            member_vars = list(variables[key])
            if not optimizer.built:
                optimizer.build(member_vars)
            all_variables.extend(member_vars)
        super().build(all_variables)

    def build(self, variables):
        """Marks the group built; members are built by `build_members()`."""
        if not all(optimizer.built for optimizer in self._members.values()):
            raise ValueError(
                "OptimizerGroup members must be built with build_members() "
                "(each on its own variables) before the group is built."
            )
        super().build(list(variables))

    @property
    def variables(self):
        """The group's own variables followed by every member's, in order."""
        out = list(self._variables)
        for optimizer in self._members.values():
            out.extend(optimizer.variables)
        return out

    def save_own_variables(self, store):
        """Saves the group's own variables; members save themselves."""
        for i, variable in enumerate(self._variables):
            store[str(i)] = keras.ops.convert_to_numpy(variable)

    def load_own_variables(self, store):
        """Loads the group's own variables; members load themselves."""
        for i, variable in enumerate(self._variables):
            if str(i) in store:
                variable.assign(store[str(i)])

    def apply(self, grads, trainable_variables=None):
        """Routes each gradient to the member that owns its variable."""
        if trainable_variables is None:
            raise ValueError(
                "OptimizerGroup.apply() needs `trainable_variables`, to route each "
                "gradient to its member optimizer."
            )
        owners = {}
        for key, optimizer in self._members.items():
            for v in optimizer._trainable_variables:
                owners[id(v)] = key
        routed = {key: ([], []) for key in self._members}
        for g, v in zip(grads, trainable_variables):
            if id(v) not in owners:
                raise ValueError(f"Variable {v.path} belongs to no member of this OptimizerGroup.")
            routed[owners[id(v)]][0].append(g)
            routed[owners[id(v)]][1].append(v)
        for key, (member_grads, member_vars) in routed.items():
            if member_vars:
                self._members[key].apply(member_grads, member_vars)
        self._iterations.assign_add(1)

    def stateless_apply(self, optimizer_variables, grads, trainable_variables):
        """Not supported: apply each member's `stateless_apply` to its own slice."""
        raise NotImplementedError(
            "OptimizerGroup.stateless_apply is not supported; call "
            "stateless_apply on each member with its own slice of the state."
        )

    def get_config(self) -> dict:
        """Config with each member serialized."""
        return {
            "name": self.name,
            "optimizers": {
                key: keras.saving.serialize_keras_object(optimizer)
                for key, optimizer in self._members.items()
            },
        }

    @classmethod
    def from_config(cls, config, custom_objects=None):
        """Recreates the group and its members (unbuilt)."""
        config = dict(config)
        optimizers = {
            key: keras.saving.deserialize_keras_object(value, custom_objects=custom_objects)
            for key, value in config.pop("optimizers").items()
        }
        return cls(optimizers, **config)
