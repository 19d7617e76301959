"""A regressor whose constructor builds a second hidden layer that forward never applies. Planted bug (MA002,
probe `gradient-flow`): `self.hidden2` is skipped, so its parameters never receive a gradient and the model is
one layer shallower than designed."""
import torch.nn as nn
import torch.nn.functional as F


class SkippedLayerRegressor(nn.Module):
    def __init__(self, in_features: int = 16, hidden: int = 32):
        super().__init__()
        self.hidden1 = nn.Linear(in_features, hidden)
        self.hidden2 = nn.Linear(hidden, hidden)
        self.out = nn.Linear(hidden, 1)

    def forward(self, x):
        h = F.relu(self.hidden1(x))
        return self.out(h)
