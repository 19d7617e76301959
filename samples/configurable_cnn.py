"""A CIFAR classifier configured by flags, as research code often is. The equation follows the defaults (batch norm
on, the convolution drops its bias because of it; no dropout); Model Audit also shows the model with each flag
flipped, so a reviewer sees what `use_bn=False` or `dropout=True` would train. Clean."""
import torch
import torch.nn as nn
import torch.nn.functional as F


class ConfigurableCNN(nn.Module):
    def __init__(self, num_classes: int = 10, use_bn: bool = True, dropout: bool = False):
        super().__init__()
        self.use_bn = use_bn
        self.dropout = dropout
        self.conv1 = nn.Conv2d(3, 32, 3, padding=1, bias=not use_bn)
        self.bn1 = nn.BatchNorm2d(32)
        self.conv2 = nn.Conv2d(32, 64, 3, padding=1, bias=not use_bn)
        self.bn2 = nn.BatchNorm2d(64)
        self.pool = nn.AdaptiveAvgPool2d(1)
        self.drop = nn.Dropout(0.3)
        self.fc = nn.Linear(64, num_classes)

    def forward(self, x):
        x = self.conv1(x)
        if self.use_bn:
            x = self.bn1(x)
        x = F.relu(x)
        x = self.conv2(x)
        if self.use_bn:
            x = self.bn2(x)
        x = F.relu(x)
        x = torch.flatten(self.pool(x), 1)
        if self.dropout:
            x = self.drop(x)
        return self.fc(x)
