"""TFX-style pipeline components (installed as nepscript_keras.components)."""
