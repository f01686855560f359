"""The demo world: the Belfaa–Jette partnership of the roadmap, its users and its fictional activity.

The top of the layer order (docs/architecture.md): it imports every domain app and none imports it.
One module per domain app (`demo.partnerships`, `demo.cases`…), loaded in order by `demo.world`;
the commands `load_demo` and `demo_otp` (docs/api.md) live in `demo/management/commands/`.
"""
