"""Small helpers of the Gradio front end (app.py): handlers, media conversion, view rendering, examples.

Nothing here draws pictures from scratch or touches the model's maths: views come from `visualizers`,
results from `alt`.
"""
