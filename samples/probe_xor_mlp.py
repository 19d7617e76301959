"""Two tiny MLPs for the nonlinearity probe. `XorMLP` is clean: ReLU between its layers, so it can fit XOR-like
targets. `XorMLPNoActivation` has the planted bug (MA001): the activation is missing, so Linear(2, 16) and
Linear(16, 1) collapse into one linear map and the model can do no better than a least-squares line."""
import torch.nn as nn
import torch.nn.functional as F


class XorMLP(nn.Module):
    def __init__(self):
        super().__init__()
        self.fc1 = nn.Linear(2, 16)
        self.fc2 = nn.Linear(16, 1)

    def forward(self, x):
        return self.fc2(F.relu(self.fc1(x)))


class XorMLPNoActivation(nn.Module):
    def __init__(self):
        super().__init__()
        self.fc1 = nn.Linear(2, 16)
        self.fc2 = nn.Linear(16, 1)

    def forward(self, x):
        return self.fc2(self.fc1(x))
