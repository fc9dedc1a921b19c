"""NAS strategies as KerasTuner subclasses, one module per strategy (installed as nepscript_keras.tuners)."""
