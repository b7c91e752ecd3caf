# class ListNode:
#     def __init__(self, val=0, next=None):
#         self.val, self.next = val, next

def merge(a, b):
    ...
