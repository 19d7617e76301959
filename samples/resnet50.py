"""ResNet-50 (He et al., 2016): a 7×7 stem, four stages of bottleneck blocks (3, 4, 6 and 3 of them) whose first
block downsamples through a projection shortcut, global average pooling and a linear classifier. Clean: 49
convolutions and one linear layer, every one followed by batch norm and a ReLU or read by the classifier."""
import torch
import torch.nn as nn
import torch.nn.functional as F


class Bottleneck(nn.Module):
    """1×1 reduce, 3×3, 1×1 expand, with an identity shortcut."""

    def __init__(self, in_channels: int = 256, width: int = 64):
        super().__init__()
        out_channels = width * 4
        self.conv1 = nn.Conv2d(in_channels, width, 1, bias=False)
        self.bn1 = nn.BatchNorm2d(width)
        self.conv2 = nn.Conv2d(width, width, 3, padding=1, bias=False)
        self.bn2 = nn.BatchNorm2d(width)
        self.conv3 = nn.Conv2d(width, out_channels, 1, bias=False)
        self.bn3 = nn.BatchNorm2d(out_channels)

    def forward(self, x):
        out = F.relu(self.bn1(self.conv1(x)))
        out = F.relu(self.bn2(self.conv2(out)))
        out = self.bn3(self.conv3(out))
        return F.relu(out + x)


class DownsampleBottleneck(nn.Module):
    """The first block of a stage: strided 3×3 and a 1×1 projection on the shortcut."""

    def __init__(self, in_channels: int = 64, width: int = 64, stride: int = 1):
        super().__init__()
        out_channels = width * 4
        self.conv1 = nn.Conv2d(in_channels, width, 1, bias=False)
        self.bn1 = nn.BatchNorm2d(width)
        self.conv2 = nn.Conv2d(width, width, 3, stride=stride, padding=1, bias=False)
        self.bn2 = nn.BatchNorm2d(width)
        self.conv3 = nn.Conv2d(width, out_channels, 1, bias=False)
        self.bn3 = nn.BatchNorm2d(out_channels)
        self.proj = nn.Conv2d(in_channels, out_channels, 1, stride=stride, bias=False)
        self.proj_bn = nn.BatchNorm2d(out_channels)

    def forward(self, x):
        out = F.relu(self.bn1(self.conv1(x)))
        out = F.relu(self.bn2(self.conv2(out)))
        out = self.bn3(self.conv3(out))
        return F.relu(out + self.proj_bn(self.proj(x)))


class ResNet50(nn.Module):
    def __init__(self, num_classes: int = 1000):
        super().__init__()
        self.stem = nn.Sequential(
            nn.Conv2d(3, 64, 7, stride=2, padding=3, bias=False),
            nn.BatchNorm2d(64),
            nn.ReLU(inplace=True),
            nn.MaxPool2d(3, stride=2, padding=1),
        )
        self.stage1 = self._make_stage(64, 64, 3, stride=1)
        self.stage2 = self._make_stage(256, 128, 4, stride=2)
        self.stage3 = self._make_stage(512, 256, 6, stride=2)
        self.stage4 = self._make_stage(1024, 512, 3, stride=2)
        self.pool = nn.AdaptiveAvgPool2d(1)
        self.fc = nn.Linear(2048, num_classes)

    def _make_stage(self, in_channels: int, width: int, blocks: int, stride: int) -> nn.Sequential:
        layers = [DownsampleBottleneck(in_channels, width, stride)]
        for _ in range(blocks - 1):
            layers.append(Bottleneck(width * 4, width))
        return nn.Sequential(*layers)

    def forward(self, x):
        x = self.stem(x)
        x = self.stage1(x)
        x = self.stage2(x)
        x = self.stage3(x)
        x = self.stage4(x)
        x = torch.flatten(self.pool(x), 1)
        return self.fc(x)
