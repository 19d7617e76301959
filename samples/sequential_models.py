"""Models written as nn.Sequential values: one at module level, one returned by a builder function. Clean."""
import torch.nn as nn

regressor = nn.Sequential(
    nn.Linear(13, 64),
    nn.ReLU(),
    nn.Linear(64, 64),
    nn.ReLU(),
    nn.Linear(64, 1),
)


def make_classifier(d_in: int = 32, hidden: int = 128, classes: int = 5):
    return nn.Sequential(
        nn.Linear(d_in, hidden),
        nn.LayerNorm(hidden),
        nn.SiLU(),
        nn.Dropout(0.1),
        nn.Linear(hidden, classes),
    )
